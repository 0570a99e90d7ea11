/* heron-imap-response.c: response lifetime (one arena per response) and debugging output
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "heron-imap-parser-private.h"

/* Blocks after the first one double up to this size; bigger requests get a block of their own. */
#define ARENA_MAX_BLOCK (1024 * 1024)

G_STATIC_ASSERT (sizeof (HeronImapResponseReal) % 8 == 0);

HeronImapResponse *
_heron_imap_response_new (void)
{
  HeronImapResponseReal *real;

  real = g_malloc (sizeof (HeronImapResponseReal) + HERON_IMAP_ARENA_FIRST_BLOCK);
  memset (real, 0, sizeof (HeronImapResponseReal));
  real->ref_count = 1;
  real->first = (char *) (real + 1);
  real->first_size = HERON_IMAP_ARENA_FIRST_BLOCK;
  real->cur = real->first;
  real->end = real->first + real->first_size;
  return &real->response;
}

gpointer
_heron_imap_response_alloc_slow (HeronImapResponseReal *real,
                                 gsize                  size)
{
  HeronImapArenaBlock *block;
  gsize header = (sizeof (HeronImapArenaBlock) + 15) & ~(gsize) 15;
  gsize block_size;
  char *data;

  if (size > ARENA_MAX_BLOCK / 4)
    {
      /* a block of its own; keep allocating small things from the current one */
      block = g_malloc (header + size);
      block->size = size;
      block->next = real->blocks;
      real->blocks = block;
      data = (char *) block + header;
      memset (data, 0, size);
      return data;
    }

  block_size = real->blocks != NULL ? real->blocks->size * 2 : real->first_size * 2;
  block_size = MIN (block_size, ARENA_MAX_BLOCK);
  block_size = MAX (block_size, size);

  block = g_malloc (header + block_size);
  block->size = block_size;
  block->next = real->blocks;
  real->blocks = block;
  data = (char *) block + header;
  real->cur = data + size;
  real->end = data + block_size;
  memset (data, 0, size);
  return data;
}

void
_heron_imap_response_own_bytes (HeronImapResponse *response,
                                GBytes            *bytes)
{
  HeronImapResponseReal *real = (HeronImapResponseReal *) response;
  HeronImapCleanup *cleanup;

  cleanup = _heron_imap_response_alloc (response, sizeof (HeronImapCleanup));
  cleanup->bytes = bytes;
  cleanup->next = real->cleanups;
  real->cleanups = cleanup;
}

static void
release_memory (HeronImapResponseReal *real)
{
  HeronImapArenaBlock *block;

  for (HeronImapCleanup *c = real->cleanups; c != NULL; c = c->next)
    g_bytes_unref (c->bytes);
  real->cleanups = NULL;

  block = real->blocks;
  while (block != NULL)
    {
      HeronImapArenaBlock *next = block->next;
      g_free (block);
      block = next;
    }
  real->blocks = NULL;
}

void
_heron_imap_response_recycle (HeronImapResponse *response)
{
  HeronImapResponseReal *real = (HeronImapResponseReal *) response;

  g_assert (real->ref_count == 1);

  release_memory (real);
  real->cur = real->first;
  real->end = real->first + real->first_size;
  memset (&real->response, 0, sizeof (HeronImapResponse));
}

HeronImapResponse *
heron_imap_response_ref (HeronImapResponse *response)
{
  HeronImapResponseReal *real = (HeronImapResponseReal *) response;

  g_return_val_if_fail (response != NULL, NULL);

  g_atomic_int_inc (&real->ref_count);
  return response;
}

void
heron_imap_response_unref (HeronImapResponse *response)
{
  HeronImapResponseReal *real = (HeronImapResponseReal *) response;

  g_return_if_fail (response != NULL);

  if (g_atomic_int_dec_and_test (&real->ref_count))
    {
      release_memory (real);
      g_free (real);
    }
}

const char *
heron_imap_response_kind_to_string (HeronImapResponseKind kind)
{
  static const char * const names[] = {
    [HERON_IMAP_RESPONSE_STATUS] = "STATUS-RESPONSE",
    [HERON_IMAP_RESPONSE_CONTINUATION] = "CONTINUATION",
    [HERON_IMAP_RESPONSE_CAPABILITY] = "CAPABILITY",
    [HERON_IMAP_RESPONSE_ENABLED] = "ENABLED",
    [HERON_IMAP_RESPONSE_LIST] = "LIST",
    [HERON_IMAP_RESPONSE_MAILBOX_STATUS] = "STATUS",
    [HERON_IMAP_RESPONSE_SEARCH] = "SEARCH",
    [HERON_IMAP_RESPONSE_ESEARCH] = "ESEARCH",
    [HERON_IMAP_RESPONSE_FLAGS] = "FLAGS",
    [HERON_IMAP_RESPONSE_EXISTS] = "EXISTS",
    [HERON_IMAP_RESPONSE_RECENT] = "RECENT",
    [HERON_IMAP_RESPONSE_EXPUNGE] = "EXPUNGE",
    [HERON_IMAP_RESPONSE_VANISHED] = "VANISHED",
    [HERON_IMAP_RESPONSE_ID] = "ID",
    [HERON_IMAP_RESPONSE_NAMESPACE] = "NAMESPACE",
    [HERON_IMAP_RESPONSE_QUOTA] = "QUOTA",
    [HERON_IMAP_RESPONSE_QUOTAROOT] = "QUOTAROOT",
    [HERON_IMAP_RESPONSE_FETCH] = "FETCH",
    [HERON_IMAP_RESPONSE_UNKNOWN] = "UNKNOWN",
  };

  if ((guint) kind < G_N_ELEMENTS (names))
    return names[kind];
  return "?";
}

const char *
heron_imap_condition_to_string (HeronImapCondition condition)
{
  switch (condition)
    {
    case HERON_IMAP_CONDITION_OK: return "OK";
    case HERON_IMAP_CONDITION_NO: return "NO";
    case HERON_IMAP_CONDITION_BAD: return "BAD";
    case HERON_IMAP_CONDITION_BYE: return "BYE";
    case HERON_IMAP_CONDITION_PREAUTH: return "PREAUTH";
    default: return "?";
    }
}

gboolean
heron_imap_response_is_tagged (const HeronImapResponse *response,
                               const char              *tag)
{
  g_return_val_if_fail (response != NULL, FALSE);
  g_return_val_if_fail (tag != NULL, FALSE);

  return response->kind == HERON_IMAP_RESPONSE_STATUS &&
         response->tag != NULL &&
         strcmp (response->tag, tag) == 0;
}

GDateTime *
heron_imap_fetch_get_internaldate (const HeronImapFetch *fetch)
{
  g_autoptr(GDateTime) utc = NULL;
  g_autoptr(GTimeZone) zone = NULL;

  g_return_val_if_fail (fetch != NULL, NULL);

  if (!(fetch->fields & HERON_IMAP_FETCH_INTERNALDATE))
    return NULL;

  utc = g_date_time_new_from_unix_utc (fetch->internaldate);
  if (utc == NULL)
    return NULL;
  zone = g_time_zone_new_offset (fetch->internaldate_offset);
  return g_date_time_to_timezone (utc, zone);
}

const HeronImapBodySection *
heron_imap_fetch_find_section (const HeronImapFetch *fetch,
                               HeronImapSectionKind  kind,
                               const char           *section)
{
  g_return_val_if_fail (fetch != NULL, NULL);

  if (section == NULL)
    section = "";

  for (guint i = 0; i < fetch->n_sections; i++)
    if (fetch->sections[i].kind == kind &&
        g_ascii_strcasecmp (fetch->sections[i].section, section) == 0)
      return &fetch->sections[i];
  return NULL;
}

gboolean
heron_imap_flags_contains (const HeronImapFlags *flags,
                           const char           *flag)
{
  g_return_val_if_fail (flags != NULL, FALSE);
  g_return_val_if_fail (flag != NULL, FALSE);

  for (guint i = 0; i < flags->n_names; i++)
    if (g_ascii_strcasecmp (flags->names[i], flag) == 0)
      return TRUE;
  return FALSE;
}

/* ---- to_string --------------------------------------------------------------------------- */

static void
append_quoted (GString    *out,
               const char *s)
{
  if (s == NULL)
    {
      g_string_append (out, "NIL");
      return;
    }
  g_string_append_c (out, '"');
  for (const guchar *p = (const guchar *) s; *p; p++)
    {
      if (*p == '"' || *p == '\\')
        {
          g_string_append_c (out, '\\');
          g_string_append_c (out, *p);
        }
      else if (*p < 0x20 || *p == 0x7f)
        g_string_append_printf (out, "\\x%02x", *p);
      else
        g_string_append_c (out, *p);
    }
  g_string_append_c (out, '"');
}

static void
append_strings (GString                *out,
                const HeronImapStrings *strings,
                gboolean                quote)
{
  g_string_append_c (out, '(');
  for (guint i = 0; i < strings->n_items; i++)
    {
      if (i > 0)
        g_string_append_c (out, ' ');
      if (quote)
        append_quoted (out, strings->items[i]);
      else
        g_string_append (out, strings->items[i]);
    }
  g_string_append_c (out, ')');
}

static void
append_flags (GString              *out,
              const HeronImapFlags *flags)
{
  static const char * const bits[] = {
    "SEEN", "ANSWERED", "FLAGGED", "DELETED", "DRAFT", "RECENT", "ANY",
  };
  gboolean first = TRUE;

  g_string_append_c (out, '(');
  for (guint i = 0; i < flags->n_names; i++)
    {
      if (i > 0)
        g_string_append_c (out, ' ');
      g_string_append (out, flags->names[i]);
    }
  g_string_append_c (out, ')');
  if (flags->system != 0)
    {
      g_string_append_c (out, '{');
      for (guint i = 0; i < G_N_ELEMENTS (bits); i++)
        if (flags->system & (1u << i))
          {
            if (!first)
              g_string_append_c (out, ',');
            g_string_append (out, bits[i]);
            first = FALSE;
          }
      g_string_append_c (out, '}');
    }
}

static void
append_ranges (GString               *out,
               const HeronImapRanges *ranges)
{
  if (ranges->n_ranges == 0)
    {
      g_string_append (out, "()");
      return;
    }
  for (guint i = 0; i < ranges->n_ranges; i++)
    {
      if (i > 0)
        g_string_append_c (out, ',');
      if (ranges->ranges[i].first == ranges->ranges[i].last)
        g_string_append_printf (out, "%u", ranges->ranges[i].first);
      else
        g_string_append_printf (out, "%u:%u", ranges->ranges[i].first, ranges->ranges[i].last);
    }
}

static const char *
code_name (HeronImapCodeKind kind)
{
  static const char * const names[] = {
    [HERON_IMAP_CODE_NONE] = "NONE",
    [HERON_IMAP_CODE_OTHER] = "OTHER",
    [HERON_IMAP_CODE_ALERT] = "ALERT",
    [HERON_IMAP_CODE_ALREADYEXISTS] = "ALREADYEXISTS",
    [HERON_IMAP_CODE_APPENDUID] = "APPENDUID",
    [HERON_IMAP_CODE_AUTHENTICATIONFAILED] = "AUTHENTICATIONFAILED",
    [HERON_IMAP_CODE_AUTHORIZATIONFAILED] = "AUTHORIZATIONFAILED",
    [HERON_IMAP_CODE_BADCHARSET] = "BADCHARSET",
    [HERON_IMAP_CODE_CANNOT] = "CANNOT",
    [HERON_IMAP_CODE_CAPABILITY] = "CAPABILITY",
    [HERON_IMAP_CODE_CLIENTBUG] = "CLIENTBUG",
    [HERON_IMAP_CODE_CLOSED] = "CLOSED",
    [HERON_IMAP_CODE_COMPRESSIONACTIVE] = "COMPRESSIONACTIVE",
    [HERON_IMAP_CODE_CONTACTADMIN] = "CONTACTADMIN",
    [HERON_IMAP_CODE_COPYUID] = "COPYUID",
    [HERON_IMAP_CODE_CORRUPTION] = "CORRUPTION",
    [HERON_IMAP_CODE_EXPIRED] = "EXPIRED",
    [HERON_IMAP_CODE_EXPUNGEISSUED] = "EXPUNGEISSUED",
    [HERON_IMAP_CODE_HASCHILDREN] = "HASCHILDREN",
    [HERON_IMAP_CODE_HIGHESTMODSEQ] = "HIGHESTMODSEQ",
    [HERON_IMAP_CODE_INUSE] = "INUSE",
    [HERON_IMAP_CODE_LIMIT] = "LIMIT",
    [HERON_IMAP_CODE_MODIFIED] = "MODIFIED",
    [HERON_IMAP_CODE_NOMODSEQ] = "NOMODSEQ",
    [HERON_IMAP_CODE_NONEXISTENT] = "NONEXISTENT",
    [HERON_IMAP_CODE_NOPERM] = "NOPERM",
    [HERON_IMAP_CODE_NOTSAVED] = "NOTSAVED",
    [HERON_IMAP_CODE_OVERQUOTA] = "OVERQUOTA",
    [HERON_IMAP_CODE_PARSE] = "PARSE",
    [HERON_IMAP_CODE_PERMANENTFLAGS] = "PERMANENTFLAGS",
    [HERON_IMAP_CODE_PRIVACYREQUIRED] = "PRIVACYREQUIRED",
    [HERON_IMAP_CODE_READ_ONLY] = "READ-ONLY",
    [HERON_IMAP_CODE_READ_WRITE] = "READ-WRITE",
    [HERON_IMAP_CODE_SERVERBUG] = "SERVERBUG",
    [HERON_IMAP_CODE_TRYCREATE] = "TRYCREATE",
    [HERON_IMAP_CODE_UIDNEXT] = "UIDNEXT",
    [HERON_IMAP_CODE_UIDNOTSTICKY] = "UIDNOTSTICKY",
    [HERON_IMAP_CODE_UIDVALIDITY] = "UIDVALIDITY",
    [HERON_IMAP_CODE_UNAVAILABLE] = "UNAVAILABLE",
    [HERON_IMAP_CODE_UNKNOWN_CTE] = "UNKNOWN-CTE",
    [HERON_IMAP_CODE_UNSEEN] = "UNSEEN",
    [HERON_IMAP_CODE_USEATTR] = "USEATTR",
  };

  if ((guint) kind < G_N_ELEMENTS (names) && names[kind] != NULL)
    return names[kind];
  return "?";
}

static void
append_code (GString             *out,
             const HeronImapCode *code)
{
  if (code->kind == HERON_IMAP_CODE_NONE)
    return;

  g_string_append_c (out, '[');
  g_string_append (out, code_name (code->kind));
  switch (code->kind)
    {
    case HERON_IMAP_CODE_OTHER:
      g_string_append_c (out, ' ');
      g_string_append (out, code->name);
      g_string_append_c (out, ' ');
      append_quoted (out, code->raw);
      break;
    case HERON_IMAP_CODE_UIDNEXT:
    case HERON_IMAP_CODE_UIDVALIDITY:
    case HERON_IMAP_CODE_UNSEEN:
      g_string_append_printf (out, " %u", code->number);
      break;
    case HERON_IMAP_CODE_HIGHESTMODSEQ:
      g_string_append_printf (out, " %" G_GUINT64_FORMAT, code->modseq);
      break;
    case HERON_IMAP_CODE_APPENDUID:
      g_string_append_printf (out, " %u ", code->number);
      append_ranges (out, &code->set1);
      break;
    case HERON_IMAP_CODE_COPYUID:
      g_string_append_printf (out, " %u ", code->number);
      append_ranges (out, &code->set1);
      g_string_append_c (out, ' ');
      append_ranges (out, &code->set2);
      break;
    case HERON_IMAP_CODE_MODIFIED:
      g_string_append_c (out, ' ');
      append_ranges (out, &code->set1);
      break;
    case HERON_IMAP_CODE_PERMANENTFLAGS:
      g_string_append_c (out, ' ');
      append_flags (out, &code->flags);
      break;
    case HERON_IMAP_CODE_CAPABILITY:
      g_string_append_c (out, ' ');
      append_strings (out, &code->strings, FALSE);
      break;
    case HERON_IMAP_CODE_BADCHARSET:
      g_string_append_c (out, ' ');
      append_strings (out, &code->strings, TRUE);
      break;
    default:
      break;
    }
  g_string_append (out, "] ");
}

static void
append_mailbox (GString                    *out,
                const HeronImapMailboxName *mailbox)
{
  if (mailbox->name != NULL && mailbox->raw != NULL && strcmp (mailbox->name, mailbox->raw) == 0)
    {
      append_quoted (out, mailbox->name);
      return;
    }
  append_quoted (out, mailbox->name);
  g_string_append (out, "=raw:");
  append_quoted (out, mailbox->raw);
}

static void
append_addresses (GString                    *out,
                  const HeronImapAddressList *list)
{
  if (list->n_addresses == 0)
    {
      g_string_append (out, "NIL");
      return;
    }
  g_string_append_c (out, '(');
  for (guint i = 0; i < list->n_addresses; i++)
    {
      const HeronImapAddress *a = &list->addresses[i];

      if (a->kind == HERON_IMAP_ADDRESS_GROUP_START)
        g_string_append (out, "group:");
      else if (a->kind == HERON_IMAP_ADDRESS_GROUP_END)
        g_string_append (out, "end:");
      g_string_append_c (out, '(');
      append_quoted (out, a->name);
      g_string_append_c (out, ' ');
      append_quoted (out, a->adl);
      g_string_append_c (out, ' ');
      append_quoted (out, a->mailbox);
      g_string_append_c (out, ' ');
      append_quoted (out, a->host);
      g_string_append_c (out, ')');
    }
  g_string_append_c (out, ')');
}

static void
append_envelope (GString                 *out,
                 const HeronImapEnvelope *env)
{
  g_string_append_c (out, '(');
  append_quoted (out, env->date);
  g_string_append_c (out, ' ');
  append_quoted (out, env->subject);
  g_string_append_c (out, ' ');
  append_addresses (out, &env->from);
  g_string_append_c (out, ' ');
  append_addresses (out, &env->sender);
  g_string_append_c (out, ' ');
  append_addresses (out, &env->reply_to);
  g_string_append_c (out, ' ');
  append_addresses (out, &env->to);
  g_string_append_c (out, ' ');
  append_addresses (out, &env->cc);
  g_string_append_c (out, ' ');
  append_addresses (out, &env->bcc);
  g_string_append_c (out, ' ');
  append_quoted (out, env->in_reply_to);
  g_string_append_c (out, ' ');
  append_quoted (out, env->message_id);
  g_string_append_c (out, ')');
}

static void
append_params (GString               *out,
               const HeronImapParams *params)
{
  if (params->n_params == 0)
    {
      g_string_append (out, "NIL");
      return;
    }
  g_string_append_c (out, '(');
  for (guint i = 0; i < params->n_params; i++)
    {
      if (i > 0)
        g_string_append_c (out, ' ');
      append_quoted (out, params->params[i].name);
      g_string_append_c (out, ' ');
      append_quoted (out, params->params[i].value);
    }
  g_string_append_c (out, ')');
}

static void
append_body (GString             *out,
             const HeronImapBody *body)
{
  g_string_append_c (out, '(');
  if (body->kind == HERON_IMAP_BODY_MULTIPART)
    {
      for (guint i = 0; i < body->n_parts; i++)
        append_body (out, &body->parts[i]);
      g_string_append_c (out, ' ');
      append_quoted (out, body->subtype);
    }
  else
    {
      append_quoted (out, body->type);
      g_string_append_c (out, ' ');
      append_quoted (out, body->subtype);
      g_string_append_c (out, ' ');
      append_params (out, &body->params);
      g_string_append_c (out, ' ');
      append_quoted (out, body->id);
      g_string_append_c (out, ' ');
      append_quoted (out, body->description);
      g_string_append_c (out, ' ');
      append_quoted (out, body->encoding);
      g_string_append_printf (out, " %" G_GUINT64_FORMAT, body->size);
      if (body->kind == HERON_IMAP_BODY_MESSAGE)
        {
          g_string_append_c (out, ' ');
          append_envelope (out, body->envelope);
          g_string_append_c (out, ' ');
          append_body (out, body->message_body);
        }
      if (body->kind == HERON_IMAP_BODY_TEXT || body->kind == HERON_IMAP_BODY_MESSAGE)
        g_string_append_printf (out, " lines=%" G_GUINT64_FORMAT, body->lines);
    }
  if (body->has_extension)
    {
      g_string_append (out, " ext:");
      if (body->kind == HERON_IMAP_BODY_MULTIPART)
        append_params (out, &body->params);
      else
        append_quoted (out, body->md5);
      g_string_append_c (out, ' ');
      if (body->disposition != NULL)
        {
          g_string_append_c (out, '(');
          append_quoted (out, body->disposition);
          g_string_append_c (out, ' ');
          append_params (out, &body->disposition_params);
          g_string_append_c (out, ')');
        }
      else
        g_string_append (out, "NIL");
      g_string_append_c (out, ' ');
      if (body->language.n_items > 0)
        append_strings (out, &body->language, TRUE);
      else
        g_string_append (out, "NIL");
      g_string_append_c (out, ' ');
      append_quoted (out, body->location);
    }
  g_string_append_c (out, ')');
}

static const char *
section_kind_name (HeronImapSectionKind kind)
{
  switch (kind)
    {
    case HERON_IMAP_SECTION_BODY: return "BODY";
    case HERON_IMAP_SECTION_BINARY: return "BINARY";
    case HERON_IMAP_SECTION_RFC822: return "RFC822";
    case HERON_IMAP_SECTION_RFC822_HEADER: return "RFC822.HEADER";
    case HERON_IMAP_SECTION_RFC822_TEXT: return "RFC822.TEXT";
    default: return "?";
    }
}

static void
append_fetch (GString              *out,
              const HeronImapFetch *f)
{
  g_string_append_printf (out, "FETCH %u", f->seq);
  if (f->fields & HERON_IMAP_FETCH_UID)
    g_string_append_printf (out, " UID=%u", f->uid);
  if (f->fields & HERON_IMAP_FETCH_FLAGS)
    {
      g_string_append (out, " FLAGS=");
      append_flags (out, &f->flags);
    }
  if (f->fields & HERON_IMAP_FETCH_MODSEQ)
    g_string_append_printf (out, " MODSEQ=%" G_GUINT64_FORMAT, f->modseq);
  if (f->fields & HERON_IMAP_FETCH_INTERNALDATE)
    {
      g_autoptr(GDateTime) date = heron_imap_fetch_get_internaldate (f);
      g_autofree char *iso = date != NULL ? g_date_time_format (date, "%Y-%m-%dT%H:%M:%S%:z") : NULL;

      g_string_append_printf (out, " INTERNALDATE=%s", iso != NULL ? iso : "?");
    }
  if (f->fields & HERON_IMAP_FETCH_RFC822_SIZE)
    g_string_append_printf (out, " RFC822.SIZE=%" G_GUINT64_FORMAT, f->rfc822_size);
  if (f->fields & HERON_IMAP_FETCH_ENVELOPE)
    {
      g_string_append (out, " ENVELOPE=");
      append_envelope (out, f->envelope);
    }
  if (f->fields & (HERON_IMAP_FETCH_BODY | HERON_IMAP_FETCH_BODYSTRUCTURE))
    {
      g_string_append (out, f->fields & HERON_IMAP_FETCH_BODYSTRUCTURE ? " BODYSTRUCTURE=" : " BODY=");
      append_body (out, f->body);
    }
  for (guint i = 0; i < f->n_sections; i++)
    {
      const HeronImapBodySection *s = &f->sections[i];

      g_string_append_printf (out, " %s", section_kind_name (s->kind));
      if (s->kind == HERON_IMAP_SECTION_BODY || s->kind == HERON_IMAP_SECTION_BINARY)
        g_string_append_printf (out, "[%s]", s->section);
      if (s->origin >= 0)
        g_string_append_printf (out, "<%" G_GINT64_FORMAT ">", s->origin);
      if (s->is_nil)
        g_string_append (out, "=NIL");
      else
        g_string_append_printf (out, "=%s%" G_GUINT64_FORMAT, s->literal8 ? "~" : "", s->size);
    }
  if (f->fields & HERON_IMAP_FETCH_PREVIEW)
    {
      g_string_append (out, " PREVIEW=");
      append_quoted (out, f->preview);
    }
  for (guint i = 0; i < f->n_binary_sizes; i++)
    g_string_append_printf (out, " BINARY.SIZE[%s]=%" G_GUINT64_FORMAT,
                            f->binary_sizes[i].section, f->binary_sizes[i].size);
  if (f->fields & HERON_IMAP_FETCH_EMAILID)
    {
      g_string_append (out, " EMAILID=");
      append_quoted (out, f->email_id);
    }
  if (f->fields & HERON_IMAP_FETCH_THREADID)
    {
      g_string_append (out, " THREADID=");
      append_quoted (out, f->thread_id);
    }
  if (f->n_unknown > 0)
    g_string_append_printf (out, " unknown=%u", f->n_unknown);
}

static void
append_list (GString             *out,
             const HeronImapList *l)
{
  static const char * const bits[] = {
    "NOINFERIORS", "NOSELECT", "MARKED", "UNMARKED", "HASCHILDREN", "HASNOCHILDREN",
    "NONEXISTENT", "SUBSCRIBED", "REMOTE", "ALL", "ARCHIVE", "DRAFTS", "FLAGGED", "JUNK",
    "SENT", "TRASH", "IMPORTANT",
  };
  gboolean first = TRUE;

  g_string_append (out, l->is_lsub ? "LSUB " : "LIST ");
  append_strings (out, &l->attribute_names, FALSE);
  if (l->attributes != 0)
    {
      g_string_append_c (out, '{');
      for (guint i = 0; i < G_N_ELEMENTS (bits); i++)
        if (l->attributes & (1u << i))
          {
            if (!first)
              g_string_append_c (out, ',');
            g_string_append (out, bits[i]);
            first = FALSE;
          }
      g_string_append_c (out, '}');
    }
  g_string_append_c (out, ' ');
  append_quoted (out, l->delimiter);
  g_string_append_c (out, ' ');
  append_mailbox (out, &l->mailbox);
  if (l->childinfo.n_items > 0)
    {
      g_string_append (out, " CHILDINFO=");
      append_strings (out, &l->childinfo, TRUE);
    }
  if (l->oldname.raw != NULL)
    {
      g_string_append (out, " OLDNAME=");
      append_mailbox (out, &l->oldname);
    }
  for (guint i = 0; i < l->n_extended; i++)
    {
      g_string_append_printf (out, " ext:%s=", l->extended[i].tag);
      append_quoted (out, l->extended[i].raw);
    }
}

static void
append_namespace_list (GString                      *out,
                       const HeronImapNamespaceList *list)
{
  if (list->n_entries == 0)
    {
      g_string_append (out, "NIL");
      return;
    }
  g_string_append_c (out, '(');
  for (guint i = 0; i < list->n_entries; i++)
    {
      const HeronImapNamespaceEntry *e = &list->entries[i];

      g_string_append_c (out, '(');
      append_mailbox (out, &e->prefix);
      g_string_append_c (out, ' ');
      append_quoted (out, e->delimiter);
      for (guint j = 0; j < e->n_extensions; j++)
        {
          g_string_append_c (out, ' ');
          append_quoted (out, e->extensions[j].name);
          g_string_append_c (out, ' ');
          append_strings (out, &e->extensions[j].values, TRUE);
        }
      g_string_append_c (out, ')');
    }
  g_string_append_c (out, ')');
}

char *
heron_imap_response_to_string (const HeronImapResponse *r)
{
  GString *out;

  g_return_val_if_fail (r != NULL, NULL);

  out = g_string_new (NULL);

  switch (r->kind)
    {
    case HERON_IMAP_RESPONSE_STATUS:
      g_string_append_printf (out, "%s %s ", r->tag != NULL ? r->tag : "*",
                              heron_imap_condition_to_string (r->status.condition));
      append_code (out, &r->status.code);
      append_quoted (out, r->status.text);
      break;

    case HERON_IMAP_RESPONSE_CONTINUATION:
      g_string_append (out, "+ ");
      append_quoted (out, r->continuation.text);
      break;

    case HERON_IMAP_RESPONSE_CAPABILITY:
    case HERON_IMAP_RESPONSE_ENABLED:
      g_string_append (out, heron_imap_response_kind_to_string (r->kind));
      g_string_append_c (out, ' ');
      append_strings (out, &r->capability, FALSE);
      break;

    case HERON_IMAP_RESPONSE_LIST:
      append_list (out, &r->list);
      break;

    case HERON_IMAP_RESPONSE_MAILBOX_STATUS:
      {
        const HeronImapMailboxStatus *s = &r->mailbox_status;

        g_string_append (out, "STATUS ");
        append_mailbox (out, &s->mailbox);
        if (s->items & HERON_IMAP_STATUS_MESSAGES)
          g_string_append_printf (out, " MESSAGES=%u", s->messages);
        if (s->items & HERON_IMAP_STATUS_UIDNEXT)
          g_string_append_printf (out, " UIDNEXT=%u", s->uidnext);
        if (s->items & HERON_IMAP_STATUS_UIDVALIDITY)
          g_string_append_printf (out, " UIDVALIDITY=%u", s->uidvalidity);
        if (s->items & HERON_IMAP_STATUS_UNSEEN)
          g_string_append_printf (out, " UNSEEN=%u", s->unseen);
        if (s->items & HERON_IMAP_STATUS_RECENT)
          g_string_append_printf (out, " RECENT=%u", s->recent);
        if (s->items & HERON_IMAP_STATUS_DELETED)
          g_string_append_printf (out, " DELETED=%u", s->deleted);
        if (s->items & HERON_IMAP_STATUS_HIGHESTMODSEQ)
          g_string_append_printf (out, " HIGHESTMODSEQ=%" G_GUINT64_FORMAT, s->highestmodseq);
        if (s->items & HERON_IMAP_STATUS_SIZE)
          g_string_append_printf (out, " SIZE=%" G_GUINT64_FORMAT, s->size);
      }
      break;

    case HERON_IMAP_RESPONSE_SEARCH:
      g_string_append (out, "SEARCH");
      for (guint i = 0; i < r->search.n_numbers; i++)
        g_string_append_printf (out, " %u", r->search.numbers[i]);
      if (r->search.has_modseq)
        g_string_append_printf (out, " MODSEQ=%" G_GUINT64_FORMAT, r->search.modseq);
      break;

    case HERON_IMAP_RESPONSE_ESEARCH:
      {
        const HeronImapEsearch *e = &r->esearch;

        g_string_append (out, "ESEARCH");
        if (e->tag != NULL)
          {
            g_string_append (out, " TAG=");
            append_quoted (out, e->tag);
          }
        if (e->uid)
          g_string_append (out, " UID");
        if (e->items & HERON_IMAP_ESEARCH_MIN)
          g_string_append_printf (out, " MIN=%u", e->min);
        if (e->items & HERON_IMAP_ESEARCH_MAX)
          g_string_append_printf (out, " MAX=%u", e->max);
        if (e->items & HERON_IMAP_ESEARCH_COUNT)
          g_string_append_printf (out, " COUNT=%u", e->count);
        if (e->items & HERON_IMAP_ESEARCH_ALL)
          {
            g_string_append (out, " ALL=");
            append_ranges (out, &e->all);
          }
        if (e->items & HERON_IMAP_ESEARCH_MODSEQ)
          g_string_append_printf (out, " MODSEQ=%" G_GUINT64_FORMAT, e->modseq);
      }
      break;

    case HERON_IMAP_RESPONSE_FLAGS:
      g_string_append (out, "FLAGS ");
      append_flags (out, &r->flags);
      break;

    case HERON_IMAP_RESPONSE_EXISTS:
    case HERON_IMAP_RESPONSE_RECENT:
    case HERON_IMAP_RESPONSE_EXPUNGE:
      g_string_append_printf (out, "%s %u", heron_imap_response_kind_to_string (r->kind),
                              r->number);
      break;

    case HERON_IMAP_RESPONSE_VANISHED:
      g_string_append (out, r->vanished.earlier ? "VANISHED EARLIER " : "VANISHED ");
      append_ranges (out, &r->vanished.uids);
      break;

    case HERON_IMAP_RESPONSE_ID:
      g_string_append (out, "ID ");
      if (r->id.is_nil)
        g_string_append (out, "NIL");
      else
        {
          g_string_append_c (out, '(');
          for (guint i = 0; i < r->id.n_pairs; i++)
            {
              if (i > 0)
                g_string_append_c (out, ' ');
              append_quoted (out, r->id.pairs[i].name);
              g_string_append_c (out, ' ');
              append_quoted (out, r->id.pairs[i].value);
            }
          g_string_append_c (out, ')');
        }
      break;

    case HERON_IMAP_RESPONSE_NAMESPACE:
      g_string_append (out, "NAMESPACE ");
      append_namespace_list (out, &r->namespace_.personal);
      g_string_append_c (out, ' ');
      append_namespace_list (out, &r->namespace_.other);
      g_string_append_c (out, ' ');
      append_namespace_list (out, &r->namespace_.shared);
      break;

    case HERON_IMAP_RESPONSE_QUOTA:
      g_string_append (out, "QUOTA ");
      append_quoted (out, r->quota.root);
      g_string_append (out, " (");
      for (guint i = 0; i < r->quota.n_resources; i++)
        g_string_append_printf (out, "%s%s %" G_GUINT64_FORMAT " %" G_GUINT64_FORMAT,
                                i > 0 ? " " : "", r->quota.resources[i].name,
                                r->quota.resources[i].usage, r->quota.resources[i].limit);
      g_string_append_c (out, ')');
      break;

    case HERON_IMAP_RESPONSE_QUOTAROOT:
      g_string_append (out, "QUOTAROOT ");
      append_mailbox (out, &r->quotaroot.mailbox);
      g_string_append_c (out, ' ');
      append_strings (out, &r->quotaroot.roots, TRUE);
      break;

    case HERON_IMAP_RESPONSE_FETCH:
      append_fetch (out, &r->fetch);
      break;

    case HERON_IMAP_RESPONSE_UNKNOWN:
      g_string_append (out, "UNKNOWN ");
      if (r->unknown.has_number)
        g_string_append_printf (out, "%u ", r->unknown.number);
      g_string_append (out, r->unknown.name);
      g_string_append_c (out, ' ');
      append_quoted (out, r->unknown.raw);
      break;

    default:
      g_string_append (out, "?");
      break;
    }

  return g_string_free (out, FALSE);
}
