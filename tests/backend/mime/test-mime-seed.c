/* test-mime-seed.c: the realistic corpus of tests/servers/seed through the display model
 *
 * 2,000 messages (seed 42) parse and render (headers, sender, both bodies, text, snippet,
 * attachments, cid: parts) without a warning, and their thread headers come out as the
 * generator made them: Message-ID and Date exactly, In-Reply-To and References pointing at
 * earlier messages of the corpus.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "heron-seed.h"
#include "mime/heron-mime.h"

#define COUNT 2000

static void
render_all (HeronMimeMessage *msg)
{
  g_autofree char *html = NULL;
  g_autofree char *plain = NULL;
  g_autofree char *snippet = NULL;
  GPtrArray *atts;

  heron_mime_message_get_body (msg, TRUE, &html);
  heron_mime_message_get_body (msg, FALSE, &plain);
  g_assert_true (g_utf8_validate (html, -1, NULL));
  g_assert_true (g_utf8_validate (plain, -1, NULL));
  g_assert_true (g_utf8_validate (heron_mime_message_get_text (msg), -1, NULL));
  snippet = heron_mime_message_get_snippet (msg, 120);
  g_assert_true (g_utf8_validate (snippet, -1, NULL));
  atts = heron_mime_message_get_attachments (msg);
  for (guint i = 0; i < atts->len; i++)
    {
      HeronMimeAttachment *a = g_ptr_array_index (atts, i);
      const char *cid = heron_mime_attachment_get_content_id (a);

      g_assert_cmpint (heron_mime_attachment_get_size (a), >=, 0);
      g_assert_true (g_utf8_validate (heron_mime_attachment_get_filename (a), -1, NULL));
      if (cid != NULL)
        {
          g_autofree char *url = g_strconcat ("cid:", cid, NULL);

          g_assert_true (heron_mime_message_lookup_cid (msg, url, NULL, NULL));
        }
      if (heron_mime_attachment_is_message (a))
        g_assert_nonnull (heron_mime_attachment_get_message_subject (a));
    }
}

static void
test_seed_corpus (void)
{
  HeronSeedSpec spec = { .seed = 42, .first_index = 0, .count = COUNT };
  g_autoptr(GHashTable) earlier = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  guint replies = 0, with_html = 0, with_attachments = 0, suspicious = 0;

  for (guint i = 0; i < COUNT; i++)
    {
      g_autoptr(GBytes) bytes = heron_seed_generate (&spec, i, NULL, NULL);
      g_autofree char *expected_id = heron_seed_message_id (&spec, i);
      g_autoptr(GError) error = NULL;
      g_autoptr(HeronMimeMessage) msg = heron_mime_message_new_from_bytes (bytes, &error);
      const char * const *refs;
      const char *irt;
      GDateTime *date;
      gboolean is_suspicious;

      g_assert_no_error (error);
      g_assert_cmpint (heron_mime_message_get_flags (msg) & (HERON_MIME_MESSAGE_MALFORMED |
                                                            HERON_MIME_MESSAGE_NO_HEADERS), ==, 0);
      g_assert_cmpstr (heron_mime_message_get_message_id (msg), ==, expected_id);
      date = heron_mime_message_get_date (msg);
      g_assert_nonnull (date);
      g_assert_cmpint (g_date_time_to_unix (date), ==, heron_seed_date (&spec, i));
      g_assert_cmpstr (heron_mime_message_get_subject (msg), !=, "");
      g_assert_cmpuint (heron_mime_message_get_from (msg)->len, ==, 1);
      heron_mime_message_get_sender_display (msg, &is_suspicious);
      if (is_suspicious)
        {
          suspicious++;
          g_test_message ("suspicious: %s (0x%x)", heron_mime_message_get_sender_display (msg, NULL),
                          heron_mime_message_get_sender_flags (msg));
        }

      irt = heron_mime_message_get_in_reply_to (msg);
      refs = heron_mime_message_get_references (msg);
      if (irt != NULL)
        {
          guint n = g_strv_length ((GStrv) refs);

          replies++;
          g_assert_true (g_hash_table_contains (earlier, irt));
          g_assert_cmpuint (n, >, 0);
          g_assert_cmpstr (refs[n - 1], ==, irt);
          for (guint r = 0; r < n; r++)
            g_assert_true (g_hash_table_contains (earlier, refs[r]));
        }
      else
        g_assert_cmpuint (g_strv_length ((GStrv) refs), ==, 0);

      if (heron_mime_message_get_body (msg, TRUE, NULL) == HERON_MIME_BODY_HTML)
        with_html++;
      if (heron_mime_message_get_attachments (msg)->len > 0)
        with_attachments++;
      render_all (msg);
      g_hash_table_add (earlier, g_steal_pointer (&expected_id));
    }

  g_test_message ("%u replies, %u with HTML, %u with attachments, %u suspicious senders",
                  replies, with_html, with_attachments, suspicious);
  /* the mix of the corpus README: about 43 % replies, 63 % with HTML, 9 % attachments */
  g_assert_cmpuint (replies, >, COUNT / 3);
  g_assert_cmpuint (with_html, >, COUNT / 2);
  g_assert_cmpuint (with_attachments, >, COUNT / 20);
  /* realistic names are never flagged */
  g_assert_cmpuint (suspicious, ==, 0);
}

int
main (int    argc,
      char **argv)
{
  int ret;

  g_test_init (&argc, &argv, NULL);
  heron_mime_init ();
  g_test_add_func ("/heron/mime/seed/corpus", test_seed_corpus);
  ret = g_test_run ();
  heron_mime_shutdown ();
  return ret;
}
