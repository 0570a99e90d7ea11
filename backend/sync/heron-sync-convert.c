/* heron-sync-convert.c: FETCH responses and raw messages into the cache's summaries, flags both
 * ways, folder names, and small helpers the files of the worker share
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>
#include <gmime/gmime.h>

#include "imap/heron-imap-utf7.h"
#include "mime/heron-mime-message.h"
#include "heron-sync-private.h"

/* What a summary needs (DESIGN.md: ask only for the fields the client needs). The References
 * header is the one threading header the envelope lacks (In-Reply-To is in it); List-Id
 * (RFC 2919) groups mailing-list mail. */
const char * const _heron_sync_summary_items[] = {
  "UID", "FLAGS", "INTERNALDATE", "RFC822.SIZE", "ENVELOPE", "BODYSTRUCTURE",
  "BODY.PEEK[HEADER.FIELDS (REFERENCES LIST-ID)]", NULL
};

GPtrArray *
_heron_sync_summary_items_for (HeronImapSession *session,
                               gboolean          modseq)
{
  GPtrArray *items = g_ptr_array_new ();

  for (guint i = 0; _heron_sync_summary_items[i] != NULL; i++)
    g_ptr_array_add (items, (gpointer) _heron_sync_summary_items[i]);
  if (modseq)
    g_ptr_array_add (items, (gpointer) "MODSEQ");
  /* RFC 8970: the server's preview of the text, kept as the list snippet until the body is
   * local. Dovecot 2.3.19 offers "PREVIEW" (the RFC's form, answered with an nstring) besides
   * the drafts' PREVIEW=FUZZY and SNIPPET=FUZZY, whose answers have another syntax: only the
   * RFC's form is asked for. */
  if (session != NULL && heron_imap_session_has_capability (session, "PREVIEW"))
    g_ptr_array_add (items, (gpointer) "PREVIEW");
  g_ptr_array_add (items, NULL);
  return items;
}

gboolean
_heron_sync_store_summaries (HeronStore *store,
                             gint64      folder_id,
                             GPtrArray  *messages,
                             GError    **error)
{
  if (messages->len == 0)
    return TRUE;
  /* one transaction: the messages arrive with their snippets */
  return heron_store_upsert_messages (store, folder_id, (HeronStoreMessage * const *) messages->pdata,
                                      messages->len, error);
}

static const struct {
  guint imap;
  guint store;
  const char *name;
} system_flags[] = {
  { HERON_IMAP_FLAG_SEEN, HERON_STORE_FLAG_SEEN, "\\Seen" },
  { HERON_IMAP_FLAG_ANSWERED, HERON_STORE_FLAG_ANSWERED, "\\Answered" },
  { HERON_IMAP_FLAG_FLAGGED, HERON_STORE_FLAG_FLAGGED, "\\Flagged" },
  { HERON_IMAP_FLAG_DELETED, HERON_STORE_FLAG_DELETED, "\\Deleted" },
  { HERON_IMAP_FLAG_DRAFT, HERON_STORE_FLAG_DRAFT, "\\Draft" },
};

guint
_heron_sync_flags_from_imap (const HeronImapFlags  *flags,
                             char                 **out_keywords)
{
  GString *keywords = NULL;
  guint result = 0;

  for (guint i = 0; i < G_N_ELEMENTS (system_flags); i++)
    if (flags->system & system_flags[i].imap)
      result |= system_flags[i].store;

  for (guint i = 0; i < flags->n_names; i++)
    {
      const char *name = flags->names[i];

      if (name[0] == '\\')
        continue;
      if (keywords == NULL)
        keywords = g_string_new (NULL);
      else
        g_string_append_c (keywords, ' ');
      g_string_append (keywords, name);
    }

  *out_keywords = keywords != NULL ? g_string_free (keywords, FALSE) : NULL;
  return result;
}

GStrv
_heron_sync_flags_to_imap (guint               flags,
                           const char * const *keywords)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

  for (guint i = 0; i < G_N_ELEMENTS (system_flags); i++)
    if (flags & system_flags[i].store)
      g_strv_builder_add (builder, system_flags[i].name);
  if (keywords != NULL)
    g_strv_builder_addv (builder, (const char **) keywords);
  return g_strv_builder_end (builder);
}

static char *
decode_text (const char *text)
{
  if (text == NULL)
    return NULL;
  if (strstr (text, "=?") == NULL && g_utf8_validate (text, -1, NULL))
    return g_strdup (text);
  return g_mime_utils_header_decode_text (NULL, text);
}

static char *
format_address (const HeronImapAddress *address)
{
  if (address->host == NULL || address->host[0] == '\0')
    return g_strdup (address->mailbox);
  return g_strdup_printf ("%s@%s", address->mailbox != NULL ? address->mailbox : "", address->host);
}

static char *
format_addresses (const HeronImapAddressList *list)
{
  GString *text;

  if (list->n_addresses == 0)
    return NULL;

  text = g_string_new (NULL);
  for (guint i = 0; i < list->n_addresses; i++)
    {
      const HeronImapAddress *address = &list->addresses[i];
      g_autofree char *name = NULL;
      g_autofree char *email = NULL;

      if (address->kind != HERON_IMAP_ADDRESS_MAILBOX)
        continue;
      if (text->len > 0)
        g_string_append (text, ", ");
      name = decode_text (address->name);
      email = format_address (address);
      if (name != NULL && name[0] != '\0')
        {
          g_string_append (text, name);
          g_string_append (text, " <");
          g_string_append (text, email);
          g_string_append_c (text, '>');
        }
      else
        g_string_append (text, email);
    }
  return g_string_free (text, FALSE);
}

static char *
strip_angles (const char *id)
{
  gsize len;

  if (id == NULL)
    return NULL;
  while (*id == ' ' || *id == '\t')
    id++;
  len = strlen (id);
  while (len > 0 && (id[len - 1] == ' ' || id[len - 1] == '\t'))
    len--;
  if (len >= 2 && id[0] == '<' && id[len - 1] == '>')
    return g_strndup (id + 1, len - 2);
  return g_strndup (id, len);
}

/* The value of the header @name of a HEADER.FIELDS section, unfolded. */
static char *
header_value (GBytes     *section,
              const char *name)
{
  gsize size = 0;
  gsize name_len = strlen (name);
  const char *data;
  const char *colon = NULL;
  GString *value;

  if (section == NULL)
    return NULL;
  data = g_bytes_get_data (section, &size);
  /* the field starts a line: at the start, or after a line end not followed by white space */
  for (gsize i = 0; i + name_len < size; i++)
    if ((i == 0 || data[i - 1] == '\n') && data[i + name_len] == ':' &&
        g_ascii_strncasecmp (data + i, name, name_len) == 0)
      {
        colon = data + i + name_len;
        break;
      }
  if (colon == NULL)
    return NULL;

  value = g_string_new (NULL);
  for (const char *p = colon + 1; p < data + size; p++)
    {
      if (*p == '\r' || *p == '\n')
        {
          /* a folded line continues with white space; anything else is the next header */
          if (p + 1 < data + size && (p[1] == ' ' || p[1] == '\t'))
            continue;
          if (*p == '\r' && p + 2 < data + size && p[1] == '\n' && (p[2] == ' ' || p[2] == '\t'))
            continue;
          if (*p == '\r' && p + 1 < data + size && p[1] == '\n')
            continue;
          break;
        }
      g_string_append_c (value, *p == '\t' ? ' ' : *p);
    }
  g_strstrip (value->str);
  if (value->str[0] == '\0')
    {
      g_string_free (value, TRUE);
      return NULL;
    }
  return g_string_free (value, FALSE);
}

char *
_heron_sync_message_id_of (const HeronImapFetch *fetch)
{
  for (guint i = 0; i < fetch->n_sections; i++)
    if (fetch->sections[i].kind == HERON_IMAP_SECTION_BODY &&
        g_ascii_strncasecmp (fetch->sections[i].section, "HEADER.FIELDS", 13) == 0)
      {
        g_autofree char *value = header_value (fetch->sections[i].data, "Message-ID");

        return value != NULL ? strip_angles (value) : NULL;
      }
  return NULL;
}

static const char *
find_param (const HeronImapParams *params,
            const char            *name)
{
  for (guint i = 0; i < params->n_params; i++)
    if (g_ascii_strcasecmp (params->params[i].name, name) == 0)
      return params->params[i].value;
  return NULL;
}

/* A BODYSTRUCTURE node in the cache: one parenthesized list per node, in IMAP list syntax,
 *
 *   (type subtype (name value ...) id encoding size disposition (name value ...) (child ...))
 *
 * with quoted strings (backslash and double quote escaped, other bytes as they came) and NIL for
 * what the server did not send. Written in one pass into one buffer: building a GVariant tree
 * here cost a sixth of a first sync's CPU. Opaque to the cache (docs/store.md). */
static void
append_quoted (GString    *out,
               const char *text)
{
  if (text == NULL)
    {
      g_string_append (out, "NIL");
      return;
    }
  g_string_append_c (out, '"');
  for (const char *p = text; *p != '\0'; p++)
    {
      if (*p == '"' || *p == '\\')
        g_string_append_c (out, '\\');
      g_string_append_c (out, *p);
    }
  g_string_append_c (out, '"');
}

static void
append_params (GString               *out,
               const HeronImapParams *params)
{
  g_string_append_c (out, '(');
  for (guint i = 0; i < params->n_params; i++)
    {
      if (i > 0)
        g_string_append_c (out, ' ');
      append_quoted (out, params->params[i].name);
      g_string_append_c (out, ' ');
      append_quoted (out, params->params[i].value != NULL ? params->params[i].value : "");
    }
  g_string_append_c (out, ')');
}

static void
serialize_body (GString             *out,
                const HeronImapBody *body,
                gboolean            *has_attachment,
                guint                depth)
{
  if (body->kind != HERON_IMAP_BODY_MULTIPART)
    {
      gboolean attachment = body->disposition != NULL &&
                            g_ascii_strcasecmp (body->disposition, "attachment") == 0;
      gboolean named = find_param (&body->disposition_params, "filename") != NULL ||
                       find_param (&body->params, "name") != NULL;

      if (attachment || (named && body->kind != HERON_IMAP_BODY_TEXT))
        *has_attachment = TRUE;
    }

  g_string_append_c (out, '(');
  append_quoted (out, body->type);
  g_string_append_c (out, ' ');
  append_quoted (out, body->subtype);
  g_string_append_c (out, ' ');
  append_params (out, &body->params);
  g_string_append_c (out, ' ');
  append_quoted (out, body->id);
  g_string_append_c (out, ' ');
  append_quoted (out, body->encoding);
  g_string_append_printf (out, " %" G_GUINT64_FORMAT " ", body->size);
  append_quoted (out, body->disposition);
  g_string_append_c (out, ' ');
  append_params (out, &body->disposition_params);
  g_string_append (out, " (");
  if (depth < 64)
    {
      for (guint i = 0; i < body->n_parts; i++)
        {
          if (i > 0)
            g_string_append_c (out, ' ');
          serialize_body (out, &body->parts[i], has_attachment, depth + 1);
        }
      if (body->message_body != NULL)
        serialize_body (out, body->message_body, has_attachment, depth + 1);
    }
  g_string_append (out, "))");
}

/* A server's PREVIEW on one line, its runs of white space made one space, as the store makes
 * its own snippets; NULL when nothing is left. */
static char *
one_line (const char *preview)
{
  g_autofree char *valid = g_utf8_make_valid (preview, -1);
  char *out = valid;
  gboolean space = FALSE;

  for (const char *p = valid; *p != '\0'; p++)
    {
      if (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')
        {
          space = out != valid;
          continue;
        }
      if (space)
        *out++ = ' ';
      space = FALSE;
      *out++ = *p;
    }
  *out = '\0';
  return valid[0] != '\0' ? g_steal_pointer (&valid) : NULL;
}

HeronStoreMessage *
_heron_sync_message_from_fetch (const HeronImapFetch *fetch)
{
  g_autoptr(HeronStoreMessage) message = heron_store_message_new ();
  const HeronImapEnvelope *envelope = fetch->envelope;

  message->uid = fetch->uid;
  if (fetch->fields & HERON_IMAP_FETCH_FLAGS)
    message->flags = _heron_sync_flags_from_imap (&fetch->flags, &message->keywords);
  message->modseq = fetch->modseq;
  if (fetch->fields & HERON_IMAP_FETCH_INTERNALDATE)
    message->internal_date = fetch->internaldate;
  message->size = fetch->rfc822_size;

  if (envelope != NULL)
    {
      if (envelope->date != NULL)
        {
          g_autoptr(GDateTime) date = g_mime_utils_header_decode_date (envelope->date);
          if (date != NULL)
            message->sent_date = g_date_time_to_unix (date);
        }
      message->subject = decode_text (envelope->subject);
      for (guint i = 0; i < envelope->from.n_addresses; i++)
        if (envelope->from.addresses[i].kind == HERON_IMAP_ADDRESS_MAILBOX)
          {
            message->from_name = decode_text (envelope->from.addresses[i].name);
            message->from_address = format_address (&envelope->from.addresses[i]);
            break;
          }
      message->sender = format_addresses (&envelope->sender);
      message->reply_to = format_addresses (&envelope->reply_to);
      message->to = format_addresses (&envelope->to);
      message->cc = format_addresses (&envelope->cc);
      message->bcc = format_addresses (&envelope->bcc);
      message->message_id = strip_angles (envelope->message_id);
      message->in_reply_to = g_strdup (envelope->in_reply_to);
    }

  for (guint i = 0; i < fetch->n_sections; i++)
    if (fetch->sections[i].kind == HERON_IMAP_SECTION_BODY &&
        g_ascii_strncasecmp (fetch->sections[i].section, "HEADER.FIELDS", 13) == 0)
      {
        g_clear_pointer (&message->references, g_free);
        g_clear_pointer (&message->list_id, g_free);
        message->references = header_value (fetch->sections[i].data, "References");
        message->list_id = header_value (fetch->sections[i].data, "List-Id");
      }

  if ((fetch->fields & HERON_IMAP_FETCH_PREVIEW) && fetch->preview != NULL)
    message->snippet = one_line (fetch->preview);

  if (fetch->body != NULL)
    {
      GString *structure = g_string_sized_new (256);

      serialize_body (structure, fetch->body, &message->has_attachment, 0);
      message->body_structure = g_string_free_to_bytes (structure);
    }

  return g_steal_pointer (&message);
}

/* Messages written here (an APPEND, a copy in Sent, a draft) */

static char *
join_mime_addresses (GPtrArray *addresses)
{
  GString *text = NULL;

  for (guint i = 0; addresses != NULL && i < addresses->len; i++)
    {
      g_autofree char *one = heron_mime_address_to_string (g_ptr_array_index (addresses, i));

      if (one == NULL || *one == '\0')
        continue;
      if (text == NULL)
        text = g_string_new (NULL);
      else
        g_string_append (text, ", ");
      g_string_append (text, one);
    }
  return text != NULL ? g_string_free (text, FALSE) : NULL;
}

static char *
dup_nonempty (const char *text)
{
  return text != NULL && *text != '\0' ? g_strdup (text) : NULL;
}

HeronStoreMessage *
_heron_sync_summary_from_message (HeronMimeMessage *message,
                                  gsize             size,
                                  guint             flags,
                                  GDateTime        *internal_date)
{
  HeronStoreMessage *summary = heron_store_message_new ();
  GPtrArray *from = heron_mime_message_get_from (message);
  GPtrArray *attachments = heron_mime_message_get_attachments (message);
  GDateTime *sent = heron_mime_message_get_date (message);
  const char * const *references = heron_mime_message_get_references (message);
  const char *in_reply_to = heron_mime_message_get_in_reply_to (message);

  summary->flags = flags & HERON_STORE_FLAGS_ALL;
  summary->internal_date = internal_date != NULL ? g_date_time_to_unix (internal_date)
                                                 : g_get_real_time () / G_USEC_PER_SEC;
  summary->sent_date = sent != NULL ? g_date_time_to_unix (sent) : 0;
  summary->size = size;
  summary->subject = g_strdup (heron_mime_message_get_subject (message));
  if (from != NULL && from->len > 0)
    {
      const HeronMimeAddress *first = g_ptr_array_index (from, 0);

      /* as the envelope gives it (_heron_sync_message_from_fetch()): no name is NULL */
      summary->from_name = dup_nonempty (first->name);
      summary->from_address = g_strdup (first->address);
    }
  summary->sender = join_mime_addresses (heron_mime_message_get_sender (message));
  summary->reply_to = join_mime_addresses (heron_mime_message_get_reply_to (message));
  summary->to = join_mime_addresses (heron_mime_message_get_to (message));
  summary->cc = join_mime_addresses (heron_mime_message_get_cc (message));
  summary->bcc = join_mime_addresses (heron_mime_message_get_bcc (message));
  summary->message_id = dup_nonempty (heron_mime_message_get_message_id (message));
  if (in_reply_to != NULL && *in_reply_to != '\0')
    summary->in_reply_to = g_strdup_printf ("<%s>", in_reply_to);
  if (references != NULL && references[0] != NULL)
    {
      GString *text = g_string_new (NULL);

      for (guint i = 0; references[i] != NULL; i++)
        g_string_append_printf (text, "%s<%s>", i > 0 ? " " : "", references[i]);
      summary->references = g_string_free (text, FALSE);
    }
  summary->has_attachment = attachments != NULL && attachments->len > 0;
  return summary;
}

GBytes *
_heron_sync_read_stream (GInputStream  *stream,
                         GCancellable  *cancellable,
                         GError       **error)
{
  g_autoptr(GOutputStream) memory = g_memory_output_stream_new_resizable ();

  if (g_output_stream_splice (memory, stream, G_OUTPUT_STREAM_SPLICE_CLOSE_SOURCE |
                              G_OUTPUT_STREAM_SPLICE_CLOSE_TARGET, cancellable, error) < 0)
    return NULL;
  return g_memory_output_stream_steal_as_bytes (G_MEMORY_OUTPUT_STREAM (memory));
}

/* Special folders */

HeronStoreFolder *
_heron_sync_find_special_folder (HeronSyncCore         *core,
                                 const char            *override,
                                 HeronStoreSpecialUse   use,
                                 GError               **error)
{
  g_autoptr(GPtrArray) folders = NULL;

  if (override != NULL && *override != '\0')
    {
      g_autoptr(GError) local_error = NULL;
      HeronStoreFolder *folder = heron_store_lookup_folder (core->store, override, &local_error);

      if (folder != NULL)
        return folder;
      if (g_error_matches (local_error, HERON_STORE_ERROR, HERON_STORE_ERROR_NOT_FOUND))
        g_set_error (error, HERON_SYNC_ERROR, HERON_SYNC_ERROR_NOT_FOUND, "There is no folder %s", override);
      else
        g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }

  folders = heron_store_get_folders (core->store, error);
  for (guint i = 0; folders != NULL && i < folders->len; i++)
    {
      HeronStoreFolder *folder = g_ptr_array_index (folders, i);

      if (folder->special_use == use)
        return heron_store_folder_copy (folder);
    }
  return NULL;
}

/* Folder names */

gboolean
_heron_sync_names_utf8 (HeronSyncCore *core)
{
  if (_heron_sync_core_is_online (core))
    return heron_imap_session_is_enabled (core->session, "UTF8=ACCEPT") ||
           heron_imap_session_is_imap4rev2 (core->session);
  return heron_store_get_utf8_names (core->store);
}

char *
_heron_sync_make_folder_name (const char  *parent,
                              char         delimiter,
                              const char  *leaf,
                              gboolean     utf8,
                              GError     **error)
{
  g_autofree char *encoded = NULL;

  if (leaf == NULL || *leaf == '\0' || !g_utf8_validate (leaf, -1, NULL))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "“%s” is not a folder name",
                   leaf != NULL ? leaf : "");
      return NULL;
    }
  for (const char *p = leaf; *p != '\0'; p++)
    {
      if ((guchar) *p < 0x20 || *p == 0x7f || *p == '*' || *p == '%' || (delimiter != '\0' && *p == delimiter))
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                       "A folder name cannot contain “%c”, “*”, “%%” or control characters: “%s”",
                       delimiter != '\0' ? delimiter : '/', leaf);
          return NULL;
        }
    }
  if (parent != NULL && delimiter == '\0')
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED, "The folder %s cannot have folders inside", parent);
      return NULL;
    }

  encoded = utf8 ? g_strdup (leaf) : heron_imap_utf7_encode (leaf);
  if (encoded == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "“%s” is not a folder name", leaf);
      return NULL;
    }
  if (parent == NULL)
    return g_steal_pointer (&encoded);
  return g_strdup_printf ("%s%c%s", parent, delimiter, encoded);
}

char *
_heron_sync_folder_display_name (const char *name,
                                 gboolean    utf8)
{
  char *decoded;

  if (utf8)
    return g_strdup (name);
  decoded = heron_imap_utf7_decode (name, NULL);
  return decoded != NULL ? decoded : g_strdup (name);
}
