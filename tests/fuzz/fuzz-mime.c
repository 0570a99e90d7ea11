/* fuzz-mime.c: libFuzzer target for the MIME display model (parse and render everything)
 *
 * Each input is parsed as a message and every part of the model is read: headers, address lists,
 * the sender display, the body with HTML and with plain text preferred, the text, a snippet, the
 * attachments (sizes, content, attached messages opened one level), cid: lookups, and a reply
 * and a forward built from it. Then the input's first line is also decoded as a header value,
 * an address list, HTML and format=flowed text. Anything that is not valid UTF-8 where the API
 * promises it aborts.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mime/heron-mime.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

static void
check_utf8 (const char *s)
{
  if (s != NULL && !g_utf8_validate (s, -1, NULL))
    abort ();
}

static void
check_addresses (GPtrArray *list)
{
  if (list == NULL)
    abort ();
  for (guint i = 0; i < list->len; i++)
    {
      HeronMimeAddress *a = g_ptr_array_index (list, i);

      check_utf8 (a->name);
      check_utf8 (a->address);
    }
}

static void
render (HeronMimeMessage *msg,
        guint             depth)
{
  g_autofree char *html = NULL;
  g_autofree char *plain = NULL;
  g_autofree char *snippet = NULL;
  g_autofree char *header = NULL;
  const char * const *refs;
  GPtrArray *atts;
  gboolean suspicious;

  check_utf8 (heron_mime_message_get_subject (msg));
  check_addresses (heron_mime_message_get_from (msg));
  check_addresses (heron_mime_message_get_to (msg));
  check_addresses (heron_mime_message_get_cc (msg));
  check_addresses (heron_mime_message_get_bcc (msg));
  check_addresses (heron_mime_message_get_reply_to (msg));
  check_addresses (heron_mime_message_get_sender (msg));
  check_utf8 (heron_mime_message_get_sender_display (msg, &suspicious));
  if (heron_mime_message_get_date (msg) != NULL)
    g_date_time_get_year (heron_mime_message_get_date (msg));
  heron_mime_message_get_message_id (msg);
  heron_mime_message_get_in_reply_to (msg);
  heron_mime_message_get_list_id (msg);
  refs = heron_mime_message_get_references (msg);
  if (g_strv_length ((GStrv) refs) > HERON_MIME_MAX_REFERENCES)
    abort ();
  header = heron_mime_message_dup_header (msg, "Content-Type");
  check_utf8 (header);

  heron_mime_message_get_body (msg, TRUE, &html);
  heron_mime_message_get_body (msg, FALSE, &plain);
  check_utf8 (html);
  check_utf8 (plain);
  check_utf8 (heron_mime_message_get_text (msg));
  if (strlen (heron_mime_message_get_text (msg)) > HERON_MIME_MAX_TEXT_LENGTH)
    abort ();
  snippet = heron_mime_message_get_snippet (msg, 100);
  check_utf8 (snippet);

  atts = heron_mime_message_get_attachments (msg);
  for (guint i = 0; i < atts->len; i++)
    {
      HeronMimeAttachment *a = g_ptr_array_index (atts, i);
      const char *cid = heron_mime_attachment_get_content_id (a);
      g_autoptr(GBytes) content = heron_mime_attachment_get_content (a, 1 << 20, NULL);

      check_utf8 (heron_mime_attachment_get_filename (a));
      if (strchr (heron_mime_attachment_get_filename (a), '/') != NULL)
        abort ();
      check_utf8 (heron_mime_attachment_get_content_type (a));
      if (heron_mime_attachment_get_size (a) < 0)
        abort ();
      if (content != NULL && (goffset) g_bytes_get_size (content) != heron_mime_attachment_get_size (a))
        abort ();
      if (cid != NULL)
        {
          g_autofree char *type = NULL;
          g_autoptr(GBytes) bytes = NULL;

          check_utf8 (cid);
          heron_mime_message_lookup_cid (msg, cid, &type, &bytes);
        }
      if (heron_mime_attachment_is_message (a) && depth < 2)
        {
          g_autoptr(HeronMimeMessage) inner = heron_mime_attachment_open_message (a, NULL);

          check_utf8 (heron_mime_attachment_get_message_subject (a));
          if (inner != NULL)
            render (inner, depth + 1);
        }
    }
  heron_mime_message_lookup_cid (msg, "cid:a", NULL, NULL);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  static GPtrArray *identities = NULL;
  g_autoptr(GBytes) bytes = g_bytes_new (data, size);
  g_autoptr(HeronMimeMessage) msg = NULL;

  if (identities == NULL)
    {
      g_setenv ("TZ", "UTC", TRUE);
      heron_mime_init ();
      identities = g_ptr_array_new_with_free_func (g_object_unref);
      g_ptr_array_add (identities, heron_account_identity_new ("Alice", "alice@example.test"));
    }

  msg = heron_mime_message_new_from_bytes (bytes, NULL);
  if (msg == NULL)
    abort ();
  render (msg, 0);

  /* replies and forwards read everything again, the way the composer does */
  if (size < 64 * 1024)
    {
      g_autoptr(HeronMimeComposition) reply = heron_mime_composition_new_reply (msg, identities, TRUE);
      g_autoptr(HeronMimeComposition) forward = heron_mime_composition_new_forward (msg, identities, FALSE);

      check_utf8 (reply->subject);
      check_utf8 (reply->body);
      check_utf8 (forward->body);
    }

  /* the first line through the string decoders */
  {
    const uint8_t *nl = memchr (data, '\n', size);
    gsize len = nl != NULL ? (gsize) (nl - data) : size;
    g_autofree char *line = g_strndup ((const char *) data, len);
    g_autofree char *decoded = heron_mime_decode_header ((const char *) data, len, 0, NULL);
    g_autoptr(GPtrArray) list = heron_mime_address_list_parse ((const char *) data, len);
    g_autofree char *display = heron_mime_sender_display (list, NULL);
    g_autofree char *valid = g_utf8_make_valid ((const char *) data, MIN (size, 64 * 1024));
    g_autofree char *text = heron_mime_html_to_text (valid, -1, 4096);
    g_autofree char *flowed = heron_mime_flowed_decode (valid, size > 0 && (data[0] & 1));
    g_autofree char *encoded = heron_mime_flowed_encode (valid, 0);
    g_autofree char *quoted = heron_mime_quote_text (valid);
    g_autofree char *re = heron_mime_subject_for_reply (valid);

    check_utf8 (decoded);
    check_addresses (list);
    check_utf8 (display);
    check_utf8 (text);
    if (strlen (text) > 4096)
      abort ();
    check_utf8 (flowed);
    check_utf8 (encoded);
    (void) line;
    (void) quoted;
    (void) re;
  }
  return 0;
}
