/* heron-imap-status.c: the parse stage for status responses (OK, NO, BAD, BYE, PREAUTH) and
 * their response codes
 *
 * A status response is one line (resp-text never holds a literal), parsed straight from the
 * response buffer: the optional "[code args]", then human-readable text.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "heron-imap-parser-private.h"

typedef struct {
  ParseCtx *ctx;
  const char *p;
  const char *end;
} Cursor;

static gboolean
cur_fail (Cursor     *c,
          const char *code,
          const char *args,
          const char *end)
{
  return _heron_imap_parser_fail (c->ctx->parser, c->ctx->error, HERON_IMAP_ERROR_PARSE,
                                  "invalid arguments \"%.*s\" to the %s response code",
                                  (int) MIN (end - args, 80), args, code);
}

static void
cur_skip_sp (Cursor *c)
{
  while (c->p < c->end && *c->p == ' ')
    c->p++;
}

/* A run of non-space characters. */
static gboolean
cur_word (Cursor      *c,
          const char **word,
          gsize       *len)
{
  cur_skip_sp (c);
  *word = c->p;
  while (c->p < c->end && *c->p != ' ')
    c->p++;
  *len = c->p - *word;
  return *len > 0;
}

static gboolean
cur_number (Cursor     *c,
            guint64     max,
            guint64    *out)
{
  const char *w;
  gsize len;

  return cur_word (c, &w, &len) && _heron_imap_digits_to_u64 (w, len, max, out);
}

/* "(" item *(SP item) ")" where items are atoms or quoted strings; without "(" reads words to
 * the end (BADCHARSET is sometimes sent that way, RFC 9051 section 6.4.4.4). */
static gboolean
cur_list (Cursor         *c,
          gboolean        flags,
          const char   ***out,
          guint          *n_out,
          guint          *system)
{
  GPtrArray *items = g_ptr_array_new ();
  gboolean paren;
  gboolean ok = FALSE;

  cur_skip_sp (c);
  paren = c->p < c->end && *c->p == '(';
  if (paren)
    c->p++;

  for (;;)
    {
      const char *start;

      cur_skip_sp (c);
      if (c->p >= c->end)
        {
          ok = !paren;
          break;
        }
      if (paren && *c->p == ')')
        {
          c->p++;
          cur_skip_sp (c);
          ok = c->p == c->end;
          break;
        }
      if (*c->p == '"' && !flags)
        {
          GString *s = g_string_new (NULL);

          c->p++;
          while (c->p < c->end && *c->p != '"')
            {
              if (*c->p == '\\' && c->p + 1 < c->end)
                c->p++;
              g_string_append_c (s, *c->p);
              c->p++;
            }
          if (c->p >= c->end)
            {
              g_string_free (s, TRUE);
              break;
            }
          c->p++;
          g_ptr_array_add (items, (char *) _heron_imap_response_strndup (c->ctx->resp, s->str, s->len));
          g_string_free (s, TRUE);
          continue;
        }
      start = c->p;
      while (c->p < c->end && *c->p != ' ' && *c->p != ')' && *c->p != '(' && *c->p != '"')
        c->p++;
      if (c->p == start)
        break;
      if (flags)
        {
          guint bit = 0;
          const char *interned = _heron_imap_system_flag (start, c->p - start, &bit);

          *system |= bit;
          g_ptr_array_add (items, interned != NULL ? (char *) interned :
                           (char *) _heron_imap_response_strndup (c->ctx->resp, start,
                                                                  c->p - start));
        }
      else
        g_ptr_array_add (items, (char *) _heron_imap_response_strndup (c->ctx->resp, start,
                                                                       c->p - start));
    }

  if (ok)
    {
      const char **array = _heron_imap_response_alloc (c->ctx->resp,
                                                       sizeof (char *) * (items->len + 1));
      if (items->len > 0)
        memcpy (array, items->pdata, sizeof (char *) * items->len);
      array[items->len] = NULL;
      *out = array;
      *n_out = items->len;
    }
  g_ptr_array_unref (items);
  return ok;
}

static gboolean
cur_set (Cursor          *c,
         HeronImapRanges *ranges)
{
  const char *w;
  gsize len;

  if (!cur_word (c, &w, &len))
    return FALSE;
  return _heron_imap_parse_ranges (c->ctx, w, len, ranges);
}

static const struct {
  const char *name;
  HeronImapCodeKind kind;
} code_names[] = {
  { "ALERT", HERON_IMAP_CODE_ALERT },
  { "ALREADYEXISTS", HERON_IMAP_CODE_ALREADYEXISTS },
  { "APPENDUID", HERON_IMAP_CODE_APPENDUID },
  { "AUTHENTICATIONFAILED", HERON_IMAP_CODE_AUTHENTICATIONFAILED },
  { "AUTHORIZATIONFAILED", HERON_IMAP_CODE_AUTHORIZATIONFAILED },
  { "BADCHARSET", HERON_IMAP_CODE_BADCHARSET },
  { "CANNOT", HERON_IMAP_CODE_CANNOT },
  { "CAPABILITY", HERON_IMAP_CODE_CAPABILITY },
  { "CLIENTBUG", HERON_IMAP_CODE_CLIENTBUG },
  { "CLOSED", HERON_IMAP_CODE_CLOSED },
  { "COMPRESSIONACTIVE", HERON_IMAP_CODE_COMPRESSIONACTIVE },
  { "CONTACTADMIN", HERON_IMAP_CODE_CONTACTADMIN },
  { "COPYUID", HERON_IMAP_CODE_COPYUID },
  { "CORRUPTION", HERON_IMAP_CODE_CORRUPTION },
  { "EXPIRED", HERON_IMAP_CODE_EXPIRED },
  { "EXPUNGEISSUED", HERON_IMAP_CODE_EXPUNGEISSUED },
  { "HASCHILDREN", HERON_IMAP_CODE_HASCHILDREN },
  { "HIGHESTMODSEQ", HERON_IMAP_CODE_HIGHESTMODSEQ },
  { "INUSE", HERON_IMAP_CODE_INUSE },
  { "LIMIT", HERON_IMAP_CODE_LIMIT },
  { "MODIFIED", HERON_IMAP_CODE_MODIFIED },
  { "NOMODSEQ", HERON_IMAP_CODE_NOMODSEQ },
  { "NONEXISTENT", HERON_IMAP_CODE_NONEXISTENT },
  { "NOPERM", HERON_IMAP_CODE_NOPERM },
  { "NOTSAVED", HERON_IMAP_CODE_NOTSAVED },
  { "OVERQUOTA", HERON_IMAP_CODE_OVERQUOTA },
  { "PARSE", HERON_IMAP_CODE_PARSE },
  { "PERMANENTFLAGS", HERON_IMAP_CODE_PERMANENTFLAGS },
  { "PRIVACYREQUIRED", HERON_IMAP_CODE_PRIVACYREQUIRED },
  { "READ-ONLY", HERON_IMAP_CODE_READ_ONLY },
  { "READ-WRITE", HERON_IMAP_CODE_READ_WRITE },
  { "SERVERBUG", HERON_IMAP_CODE_SERVERBUG },
  { "TRYCREATE", HERON_IMAP_CODE_TRYCREATE },
  { "UIDNEXT", HERON_IMAP_CODE_UIDNEXT },
  { "UIDNOTSTICKY", HERON_IMAP_CODE_UIDNOTSTICKY },
  { "UIDVALIDITY", HERON_IMAP_CODE_UIDVALIDITY },
  { "UNAVAILABLE", HERON_IMAP_CODE_UNAVAILABLE },
  { "UNKNOWN-CTE", HERON_IMAP_CODE_UNKNOWN_CTE },
  { "UNSEEN", HERON_IMAP_CODE_UNSEEN },
  { "USEATTR", HERON_IMAP_CODE_USEATTR },
};

/* Reads "[code args]" from p (at "["); returns where the text starts. A "[" without "]" is
 * taken as text, not as a code. */
static gboolean
parse_code (ParseCtx      *ctx,
            const char    *p,
            const char    *end,
            HeronImapCode *code,
            const char   **text_start)
{
  const char *q = p + 1;
  const char *name;
  const char *args;
  gsize name_len;
  Cursor c;

  *text_start = p;
  while (q < end && *q != ']')
    {
      if (*q == '"')
        {
          q++;
          while (q < end && *q != '"')
            q += (*q == '\\' && q + 1 < end) ? 2 : 1;
          if (q >= end)
            return TRUE;
        }
      q++;
    }
  if (q >= end)
    return TRUE;

  name = p + 1;
  for (args = name; args < q && *args != ' '; args++)
    if ((guchar) *args < 0x21 || (guchar) *args > 0x7e)
      return _heron_imap_parse_error (ctx, "invalid character in a response code");
  name_len = args - name;
  if (name_len == 0)
    return _heron_imap_parse_error (ctx, "empty response code");
  if (args < q)
    args++;

  code->kind = HERON_IMAP_CODE_OTHER;
  code->name = _heron_imap_response_strndup (ctx->resp, name, name_len);
  code->raw = _heron_imap_make_text (ctx->resp, args, q - args);
  for (guint k = 0; k < G_N_ELEMENTS (code_names); k++)
    if (strlen (code_names[k].name) == name_len &&
        _heron_imap_ascii_caseeq (name, name_len, code_names[k].name))
      {
        code->kind = code_names[k].kind;
        break;
      }

  c.ctx = ctx;
  c.p = args;
  c.end = q;

  switch (code->kind)
    {
    case HERON_IMAP_CODE_UIDNEXT:
    case HERON_IMAP_CODE_UIDVALIDITY:
    case HERON_IMAP_CODE_UNSEEN:
      {
        guint64 v;

        /* nz-number (RFC 3501): a zero UIDVALIDITY would look like "unknown" to a cache */
        if (!cur_number (&c, G_MAXUINT32, &v) || v == 0)
          return cur_fail (&c, code->name, args, q);
        code->number = (guint32) v;
      }
      break;

    case HERON_IMAP_CODE_HIGHESTMODSEQ:
      /* mod-sequence-value is positive (RFC 7162); a mailbox without them says NOMODSEQ */
      if (!cur_number (&c, G_MAXINT64, &code->modseq) || code->modseq == 0)
        return cur_fail (&c, code->name, args, q);
      break;

    case HERON_IMAP_CODE_APPENDUID:
    case HERON_IMAP_CODE_COPYUID:
      {
        guint64 v;

        if (!cur_number (&c, G_MAXUINT32, &v))
          return cur_fail (&c, code->name, args, q);
        code->number = (guint32) v;
        if (!cur_set (&c, &code->set1))
          return cur_fail (&c, code->name, args, q);
        if (code->kind == HERON_IMAP_CODE_COPYUID && !cur_set (&c, &code->set2))
          return cur_fail (&c, code->name, args, q);
      }
      break;

    case HERON_IMAP_CODE_MODIFIED:
      if (!cur_set (&c, &code->set1))
        return cur_fail (&c, code->name, args, q);
      break;

    case HERON_IMAP_CODE_PERMANENTFLAGS:
      if (!cur_list (&c, TRUE, (const char ***) &code->flags.names, &code->flags.n_names,
                     &code->flags.system))
        return cur_fail (&c, code->name, args, q);
      break;

    case HERON_IMAP_CODE_CAPABILITY:
    case HERON_IMAP_CODE_BADCHARSET:
      {
        guint unused = 0;

        if (!cur_list (&c, FALSE, (const char ***) &code->strings.items, &code->strings.n_items,
                       &unused))
          return cur_fail (&c, code->name, args, q);
      }
      break;

    default:
      break;
    }

  switch (code->kind)
    {
    case HERON_IMAP_CODE_UIDNEXT:
    case HERON_IMAP_CODE_UIDVALIDITY:
    case HERON_IMAP_CODE_UNSEEN:
    case HERON_IMAP_CODE_HIGHESTMODSEQ:
    case HERON_IMAP_CODE_APPENDUID:
    case HERON_IMAP_CODE_COPYUID:
    case HERON_IMAP_CODE_MODIFIED:
      /* trailing garbage after structured arguments: do not guess */
      cur_skip_sp (&c);
      if (c.p < c.end)
        return cur_fail (&c, code->name, args, q);
      break;
    default:
      /* codes without arguments keep whatever follows in raw */
      break;
    }

  p = q + 1;
  if (p < end && *p == ' ')
    p++;
  *text_start = p;
  return TRUE;
}

gboolean
_heron_imap_parse_status (ParseCtx *ctx)
{
  HeronImapParser *parser = ctx->parser;
  HeronImapResponse *resp = ctx->resp;
  const char *cond = ctx->buf + parser->name_off;
  const char *p = ctx->buf + parser->rest_off;
  const char *end = ctx->buf + parser->buf_len;
  const char *text = p;

  resp->kind = HERON_IMAP_RESPONSE_STATUS;
  if (parser->tag_len > 0)
    resp->tag = _heron_imap_response_strndup (resp, ctx->buf + parser->tag_off, parser->tag_len);

  switch (g_ascii_toupper (cond[0]))
    {
    case 'O': resp->status.condition = HERON_IMAP_CONDITION_OK; break;
    case 'N': resp->status.condition = HERON_IMAP_CONDITION_NO; break;
    case 'P': resp->status.condition = HERON_IMAP_CONDITION_PREAUTH; break;
    default:
      resp->status.condition = g_ascii_toupper (cond[1]) == 'Y' ? HERON_IMAP_CONDITION_BYE :
                                                                  HERON_IMAP_CONDITION_BAD;
      break;
    }

  if (p < end && *p == '[' && !parse_code (ctx, p, end, &resp->status.code, &text))
    return FALSE;
  resp->status.text = _heron_imap_make_text (resp, text, end - text);
  return TRUE;
}

