/* test-mime-corpus.c: the corpus of difficult messages, each with its defined result
 *
 * corpus/expected.ini holds, for every .eml in corpus/, what the display model must say: the
 * subject, the sender display and whether it is suspicious, the body kinds with HTML and plain
 * preferred, text excerpts, the attachments (name|type|size|inline,message,encrypted) and the
 * message flags. Messages too large to commit (deep nesting, 1 MB header lines) are made here.
 *
 * HERON_MIME_DUMP=1 prints the model of every corpus file instead of testing (for writing new
 * expectations).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <locale.h>
#include <string.h>

#include <glib/gstdio.h>

#include "mime/heron-mime.h"

static const char *
kind_name (HeronMimeBodyKind kind)
{
  switch (kind)
    {
    case HERON_MIME_BODY_NONE: return "none";
    case HERON_MIME_BODY_PLAIN: return "plain";
    case HERON_MIME_BODY_HTML: return "html";
    default: return "?";
    }
}

static char *
flags_string (HeronMimeMessageFlags flags)
{
  static const struct { HeronMimeMessageFlags flag; const char *name; } names[] = {
    { HERON_MIME_MESSAGE_SIGNED, "signed" },
    { HERON_MIME_MESSAGE_ENCRYPTED, "encrypted" },
    { HERON_MIME_MESSAGE_TOO_DEEP, "too-deep" },
    { HERON_MIME_MESSAGE_TOO_MANY_PARTS, "too-many-parts" },
    { HERON_MIME_MESSAGE_TEXT_TRUNCATED, "text-truncated" },
    { HERON_MIME_MESSAGE_MALFORMED, "malformed" },
    { HERON_MIME_MESSAGE_HEADERS_TRUNCATED, "headers-truncated" },
    { HERON_MIME_MESSAGE_NO_HEADERS, "no-headers" },
  };
  GString *out = g_string_new (NULL);

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    if (flags & names[i].flag)
      g_string_append_printf (out, "%s%s", out->len > 0 ? "," : "", names[i].name);
  return g_string_free (out, FALSE);
}

static char *
attachments_string (HeronMimeMessage *msg)
{
  GPtrArray *atts = heron_mime_message_get_attachments (msg);
  GString *out = g_string_new (NULL);

  for (guint i = 0; i < atts->len; i++)
    {
      HeronMimeAttachment *a = g_ptr_array_index (atts, i);
      GString *f = g_string_new (NULL);

      if (heron_mime_attachment_is_inline (a))
        g_string_append (f, "inline");
      if (heron_mime_attachment_is_message (a))
        g_string_append_printf (f, "%smessage", f->len ? "," : "");
      if (heron_mime_attachment_get_kind (a) == HERON_MIME_ATTACHMENT_ENCRYPTED)
        g_string_append_printf (f, "%sencrypted", f->len ? "," : "");
      g_string_append_printf (out, "%s%s|%s|%" G_GOFFSET_FORMAT "|%s", i > 0 ? ";" : "",
                              heron_mime_attachment_get_filename (a),
                              heron_mime_attachment_get_content_type (a),
                              heron_mime_attachment_get_size (a), f->str);
      g_string_free (f, TRUE);
    }
  return g_string_free (out, FALSE);
}

static HeronMimeMessage *
load (const char *name)
{
  g_autofree char *path = g_build_filename (HERON_MIME_CORPUS, name, NULL);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GError) error = NULL;
  HeronMimeMessage *msg = heron_mime_message_new_from_file (file, NULL, &error);

  g_assert_no_error (error);
  g_assert_nonnull (msg);
  return msg;
}

static void
dump (const char *name)
{
  g_autoptr(HeronMimeMessage) msg = load (name);
  g_autofree char *html = NULL;
  g_autofree char *plain = NULL;
  HeronMimeBodyKind kh = heron_mime_message_get_body (msg, TRUE, &html);
  HeronMimeBodyKind kp = heron_mime_message_get_body (msg, FALSE, &plain);
  gboolean suspicious;
  const char *sender = heron_mime_message_get_sender_display (msg, &suspicious);
  g_autofree char *atts = attachments_string (msg);
  g_autofree char *flags = flags_string (heron_mime_message_get_flags (msg));
  g_autofree char *snippet = heron_mime_message_get_snippet (msg, 80);

  g_print ("[%s]\nsubject=%s\nsender=%s\nsuspicious=%s (0x%x)\nbody-html=%s\nbody-plain=%s\n"
           "attachments=%s\nflags=%s\nsnippet=%s\n--- text\n%s\n---\n\n",
           name, heron_mime_message_get_subject (msg), sender, suspicious ? "true" : "false",
           heron_mime_message_get_sender_flags (msg), kind_name (kh), kind_name (kp), atts, flags,
           snippet, heron_mime_message_get_text (msg));
}

static void
test_corpus_file (gconstpointer data)
{
  const char *name = data;
  g_autofree char *ini = g_build_filename (HERON_MIME_CORPUS, "expected.ini", NULL);
  g_autoptr(GKeyFile) kf = g_key_file_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(HeronMimeMessage) msg = NULL;
  g_autofree char *value = NULL;

  g_key_file_load_from_file (kf, ini, G_KEY_FILE_NONE, &error);
  g_assert_no_error (error);
  msg = load (name);

  if ((value = g_key_file_get_string (kf, name, "subject", NULL)) != NULL)
    g_assert_cmpstr (heron_mime_message_get_subject (msg), ==, value);
  g_clear_pointer (&value, g_free);
  if ((value = g_key_file_get_string (kf, name, "sender", NULL)) != NULL)
    g_assert_cmpstr (heron_mime_message_get_sender_display (msg, NULL), ==, value);
  g_clear_pointer (&value, g_free);
  if (g_key_file_has_key (kf, name, "suspicious", NULL))
    {
      gboolean suspicious;

      heron_mime_message_get_sender_display (msg, &suspicious);
      g_assert_cmpint (suspicious, ==, g_key_file_get_boolean (kf, name, "suspicious", NULL));
    }
  if ((value = g_key_file_get_string (kf, name, "body-html", NULL)) != NULL)
    g_assert_cmpstr (kind_name (heron_mime_message_get_body (msg, TRUE, NULL)), ==, value);
  g_clear_pointer (&value, g_free);
  if ((value = g_key_file_get_string (kf, name, "body-plain", NULL)) != NULL)
    g_assert_cmpstr (kind_name (heron_mime_message_get_body (msg, FALSE, NULL)), ==, value);
  g_clear_pointer (&value, g_free);
  {
    g_auto(GStrv) parts = g_key_file_get_string_list (kf, name, "text", NULL, NULL);

    for (guint i = 0; parts != NULL && parts[i] != NULL; i++)
      if (strstr (heron_mime_message_get_text (msg), parts[i]) == NULL)
        g_error ("%s: text lacks “%s”:\n%s", name, parts[i], heron_mime_message_get_text (msg));
  }
  {
    g_auto(GStrv) parts = g_key_file_get_string_list (kf, name, "text-absent", NULL, NULL);

    for (guint i = 0; parts != NULL && parts[i] != NULL; i++)
      if (strstr (heron_mime_message_get_text (msg), parts[i]) != NULL)
        g_error ("%s: text holds “%s”", name, parts[i]);
  }
  {
    g_auto(GStrv) parts = g_key_file_get_string_list (kf, name, "html", NULL, NULL);
    g_autofree char *html = NULL;

    heron_mime_message_get_body (msg, TRUE, &html);
    for (guint i = 0; parts != NULL && parts[i] != NULL; i++)
      if (strstr (html, parts[i]) == NULL)
        g_error ("%s: HTML body lacks “%s”", name, parts[i]);
  }
  if (g_key_file_has_key (kf, name, "attachments", NULL))
    {
      g_autofree char *expected = g_key_file_get_value (kf, name, "attachments", NULL);
      g_autofree char *actual = attachments_string (msg);

      g_assert_cmpstr (actual, ==, expected);
    }
  if (g_key_file_has_key (kf, name, "flags", NULL))
    {
      g_autofree char *expected = g_key_file_get_value (kf, name, "flags", NULL);
      g_autofree char *actual = flags_string (heron_mime_message_get_flags (msg));

      g_assert_cmpstr (actual, ==, expected);
    }
  if ((value = g_key_file_get_string (kf, name, "snippet", NULL)) != NULL)
    {
      g_autofree char *snippet = heron_mime_message_get_snippet (msg, 80);

      g_assert_cmpstr (snippet, ==, value);
    }
  g_clear_pointer (&value, g_free);
}

/* Every corpus file has an entry, and every entry a file. */
static void
test_corpus_complete (void)
{
  g_autofree char *ini = g_build_filename (HERON_MIME_CORPUS, "expected.ini", NULL);
  g_autoptr(GKeyFile) kf = g_key_file_new ();
  g_autoptr(GDir) dir = g_dir_open (HERON_MIME_CORPUS, 0, NULL);
  g_auto(GStrv) groups = NULL;
  const char *name;
  guint files = 0;

  g_assert_true (g_key_file_load_from_file (kf, ini, G_KEY_FILE_NONE, NULL));
  while ((name = g_dir_read_name (dir)) != NULL)
    if (g_str_has_suffix (name, ".eml"))
      {
        files++;
        if (!g_key_file_has_group (kf, name))
          g_error ("corpus/%s has no entry in expected.ini", name);
      }
  groups = g_key_file_get_groups (kf, NULL);
  g_assert_cmpuint (g_strv_length (groups), ==, files);
}

static HeronMimeMessage *
parse_string (const char *text,
              gsize       len)
{
  g_autoptr(GBytes) bytes = g_bytes_new (text, len);
  g_autoptr(GError) error = NULL;
  HeronMimeMessage *msg = heron_mime_message_new_from_bytes (bytes, &error);

  g_assert_no_error (error);
  return msg;
}

/* 50 levels of multipart/mixed: levels up to HERON_MIME_MAX_DEPTH are shown, the rest is not,
 * and the message says so. */
static void
test_deep_nesting (void)
{
  GString *m = g_string_new ("From: deep@corpus.example\nSubject: Deep\nMIME-Version: 1.0\n");
  g_autoptr(HeronMimeMessage) msg = NULL;
  g_autofree char *body = NULL;

  for (guint i = 1; i <= 50; i++)
    {
      g_string_append_printf (m, "Content-Type: multipart/mixed; boundary=\"level%u\"\n\n", i);
      g_string_append_printf (m, "--level%u\nContent-Type: text/plain\n\nText at level %u.\n", i, i + 1);
      g_string_append_printf (m, "--level%u\n", i);
    }
  g_string_append (m, "Content-Type: text/plain\n\nThe bottom.\n");
  for (guint i = 50; i >= 1; i--)
    g_string_append_printf (m, "--level%u--\n", i);

  msg = parse_string (m->str, m->len);
  g_string_free (m, TRUE);

  g_assert_true (heron_mime_message_get_flags (msg) & HERON_MIME_MESSAGE_TOO_DEEP);
  g_assert_cmpint (heron_mime_message_get_body (msg, FALSE, &body), ==, HERON_MIME_BODY_PLAIN);
  /* the text of level n sits at depth n: 2..32 are shown, 33 and deeper are not */
  g_assert_nonnull (strstr (body, "Text at level 2."));
  g_assert_nonnull (strstr (body, "Text at level 32."));
  g_assert_null (strstr (body, "Text at level 33."));
  g_assert_null (strstr (body, "The bottom."));
  g_assert_cmpuint (heron_mime_message_get_attachments (msg)->len, ==, 0);
}

/* 2,000 levels: GMime stops at its own limit, and nothing crashes. */
static void
test_very_deep_nesting (void)
{
  GString *m = g_string_new ("From: deep@corpus.example\nSubject: Very deep\n");
  g_autoptr(HeronMimeMessage) msg = NULL;

  for (guint i = 1; i <= 2000; i++)
    g_string_append_printf (m, "Content-Type: multipart/mixed; boundary=\"b%u\"\n\n--b%u\n", i, i);
  g_string_append (m, "Content-Type: text/plain\n\nbottom\n");

  msg = parse_string (m->str, m->len);
  g_string_free (m, TRUE);
  g_assert_true (heron_mime_message_get_flags (msg) & HERON_MIME_MESSAGE_TOO_DEEP);
  g_assert_cmpstr (heron_mime_message_get_text (msg), ==, "");
}

/* 5,000 attachments: the first HERON_MIME_MAX_PARTS parts are shown, and the message says so. */
static void
test_many_parts (void)
{
  GString *m = g_string_new ("Subject: Many\nContent-Type: multipart/mixed; boundary=\"p\"\n\n"
                             "--p\nContent-Type: text/plain\n\nfirst\n");
  g_autoptr(HeronMimeMessage) msg = NULL;
  GPtrArray *atts;

  for (guint i = 0; i < 5000; i++)
    g_string_append_printf (m, "--p\nContent-Type: application/octet-stream; name=\"f%u.bin\"\n\n%u\n", i, i);
  g_string_append (m, "--p--\n");
  msg = parse_string (m->str, m->len);
  g_string_free (m, TRUE);

  atts = heron_mime_message_get_attachments (msg);
  g_assert_true (heron_mime_message_get_flags (msg) & HERON_MIME_MESSAGE_TOO_MANY_PARTS);
  /* the multipart and the text part count too */
  g_assert_cmpuint (atts->len, ==, HERON_MIME_MAX_PARTS - 2);
  g_assert_cmpstr (heron_mime_attachment_get_filename (g_ptr_array_index (atts, 0)), ==, "f0.bin");
  g_assert_cmpint (heron_mime_attachment_get_size (g_ptr_array_index (atts, 0)), ==, 1);
  g_assert_cmpstr (heron_mime_message_get_text (msg), ==, "first");
}

/* A 1 MB Subject and a 1 MB To: cut at their limits, quickly. */
static void
test_megabyte_header_lines (void)
{
  GString *m = g_string_new ("From: Big <big@corpus.example>\nSubject: ");
  g_autoptr(HeronMimeMessage) msg = NULL;
  gint64 start = g_get_monotonic_time ();

  for (guint i = 0; i < 1024 * 1024 / 8; i++)
    g_string_append (m, "abcdefg ");
  g_string_append (m, "\nTo: ");
  for (guint i = 0; i < 1024 * 1024 / 24; i++)
    g_string_append_printf (m, "u%06u@corpus.example, ", i);
  g_string_append (m, "last@corpus.example\nContent-Type: text/plain\n\nShort body.\n");

  msg = parse_string (m->str, m->len);
  g_string_free (m, TRUE);

  /* the cut text and "…"; a space right before the ellipsis goes */
  g_assert_cmpuint (g_utf8_strlen (heron_mime_message_get_subject (msg), -1), <=,
                    HERON_MIME_MAX_HEADER_CHARS + 1);
  g_assert_cmpuint (g_utf8_strlen (heron_mime_message_get_subject (msg), -1), >=,
                    HERON_MIME_MAX_HEADER_CHARS);
  g_assert_true (g_str_has_suffix (heron_mime_message_get_subject (msg), "…"));
  g_assert_true (heron_mime_message_get_flags (msg) & HERON_MIME_MESSAGE_HEADERS_TRUNCATED);
  g_assert_cmpuint (heron_mime_message_get_to (msg)->len, ==, HERON_MIME_MAX_ADDRESSES);
  g_assert_cmpstr (heron_mime_message_get_text (msg), ==, "Short body.\n");
  g_assert_cmpstr (heron_mime_message_get_sender_display (msg, NULL), ==, "Big");
  /* generous: a few seconds under sanitizers, milliseconds otherwise */
  g_assert_cmpint (g_get_monotonic_time () - start, <, 30 * G_USEC_PER_SEC);
}

static void
test_cid_lookup (void)
{
  g_autoptr(HeronMimeMessage) msg = load ("apple-inline-images.eml");
  g_autofree char *type = NULL;
  g_autoptr(GBytes) content = NULL;

  g_assert_true (heron_mime_message_lookup_cid (msg, "cid:4F1A2B3C-beach@corpus.example", &type, &content));
  g_assert_cmpstr (type, ==, "image/png");
  g_assert_cmpuint (g_bytes_get_size (content), ==, 72);
  g_assert_cmpmem (g_bytes_get_data (content, NULL), 8, "\x89PNG\r\n\x1a\n", 8);
  g_clear_pointer (&type, g_free);
  g_clear_pointer (&content, g_bytes_unref);
  /* the URL form is %-escaped; brackets and case of the domain do not matter */
  g_assert_true (heron_mime_message_lookup_cid (msg, "cid:4F1A2B3C%2Dbeach@CORPUS.example", NULL, NULL));
  g_assert_true (heron_mime_message_lookup_cid (msg, "<4F1A2B3C-beach@corpus.example>", NULL, NULL));
  g_assert_false (heron_mime_message_lookup_cid (msg, "cid:missing@corpus.example", NULL, NULL));
  g_assert_false (heron_mime_message_lookup_cid (msg, "cid:", NULL, NULL));
}

static void
test_attached_message (void)
{
  g_autoptr(HeronMimeMessage) msg = load ("forward-rfc822.eml");
  g_autoptr(HeronMimeMessage) inner = NULL;
  g_autoptr(GError) error = NULL;
  HeronMimeAttachment *att;

  g_assert_cmpuint (heron_mime_message_get_attachments (msg)->len, ==, 1);
  att = g_ptr_array_index (heron_mime_message_get_attachments (msg), 0);
  g_assert_true (heron_mime_attachment_is_message (att));
  g_assert_cmpstr (heron_mime_attachment_get_message_subject (att), ==, "Minutes – 11 Nov");
  g_assert_cmpstr (heron_mime_attachment_get_message_sender (att), ==, "Renée Dupont");
  inner = heron_mime_attachment_open_message (att, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (heron_mime_message_get_message_id (inner), ==, "inner@corpus.example");
  g_assert_cmpstr (heron_mime_message_get_text (inner), ==, "The minutes of the meeting.");
  {
    g_autoptr(GBytes) raw = heron_mime_message_get_raw (inner);
    g_autoptr(HeronMimeMessage) again = heron_mime_message_new_from_bytes (raw, &error);

    g_assert_no_error (error);
    g_assert_cmpstr (heron_mime_message_get_subject (again), ==, "Minutes – 11 Nov");
  }
  /* a file is not a message */
  {
    g_autoptr(HeronMimeMessage) other = load ("winmail-dat.eml");
    HeronMimeAttachment *file = g_ptr_array_index (heron_mime_message_get_attachments (other), 0);
    HeronMimeMessage *none = heron_mime_attachment_open_message (file, &error);

    g_assert_null (none);
    g_assert_error (error, HERON_MIME_ERROR, HERON_MIME_ERROR_NOT_A_MESSAGE);
  }
}

static void
on_saved (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  GError **error = user_data;

  heron_mime_attachment_save_finish (HERON_MIME_ATTACHMENT (source), result, error);
  g_main_context_wakeup (NULL);
  *(gboolean *) g_object_get_data (source, "done") = TRUE;
}

/* Saving streams the decoded content to the file; the bytes equal the decoded part. */
static void
test_save_attachment (void)
{
  g_autoptr(HeronMimeMessage) msg = load ("rfc2231-continuations.eml");
  HeronMimeAttachment *att = g_ptr_array_index (heron_mime_message_get_attachments (msg), 0);
  g_autofree char *dir = g_dir_make_tmp ("heron-mime-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, heron_mime_attachment_get_filename (att), NULL);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) expected = heron_mime_attachment_get_content (att, 1024, &error);
  g_autofree char *saved = NULL;
  gsize len = 0;
  gboolean done = FALSE;

  g_assert_no_error (error);
  g_object_set_data (G_OBJECT (att), "done", &done);
  heron_mime_attachment_save_async (att, file, G_PRIORITY_DEFAULT, NULL, on_saved, &error);
  while (!done)
    g_main_context_iteration (NULL, TRUE);
  g_assert_no_error (error);
  g_assert_true (g_file_get_contents (path, &saved, &len, NULL));
  g_assert_cmpmem (saved, len, g_bytes_get_data (expected, NULL), g_bytes_get_size (expected));
  g_assert_true (g_str_has_prefix (saved, "%PDF-1.4"));
  g_assert_cmpint (len, ==, heron_mime_attachment_get_size (att));

  /* too small a limit for get_content is an error, not a cut */
  {
    g_autoptr(GError) small_error = NULL;
    GBytes *none = heron_mime_attachment_get_content (att, 10, &small_error);

    g_assert_null (none);
    g_assert_error (small_error, G_IO_ERROR, G_IO_ERROR_NO_SPACE);
  }
  g_unlink (path);
  g_rmdir (dir);
}

/* Any bytes give a model; an empty input is an empty message. */
static void
test_degenerate_inputs (void)
{
  static const char * const inputs[] = {
    "", "\n", "\r\n\r\n", "From:", "Content-Type: multipart/mixed; boundary=\"\"\n\n--\n--\n",
    "Subject: =?utf-8?b?AAAA?=\n\n\x00\x01\x02", "Content-Type: message/rfc822\n\n",
    "Content-Type: multipart/alternative; boundary=a\n\n--a\n--a--\n",
  };

  for (guint i = 0; i < G_N_ELEMENTS (inputs); i++)
    {
      g_autoptr(HeronMimeMessage) msg = parse_string (inputs[i], strlen (inputs[i]));
      g_autofree char *snippet = heron_mime_message_get_snippet (msg, 40);

      g_assert_true (g_utf8_validate (snippet, -1, NULL));
      g_assert_nonnull (heron_mime_message_get_subject (msg));
      g_assert_nonnull (heron_mime_message_get_text (msg));
      g_assert_nonnull (heron_mime_message_get_references (msg));
    }
}

static int
compare_names (gconstpointer a,
               gconstpointer b)
{
  return strcmp (*(const char * const *) a, *(const char * const *) b);
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(GDir) dir = NULL;
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  const char *name;
  int ret;

  g_setenv ("TZ", "UTC", TRUE);
  g_test_init (&argc, &argv, NULL);
  heron_mime_init ();

  dir = g_dir_open (HERON_MIME_CORPUS, 0, NULL);
  g_assert_nonnull (dir);
  while ((name = g_dir_read_name (dir)) != NULL)
    if (g_str_has_suffix (name, ".eml"))
      g_ptr_array_add (names, g_strdup (name));
  g_ptr_array_sort (names, compare_names);

  if (g_getenv ("HERON_MIME_DUMP") != NULL)
    {
      setlocale (LC_ALL, "");
      for (guint i = 0; i < names->len; i++)
        dump (g_ptr_array_index (names, i));
      return 0;
    }

  g_test_add_func ("/heron/mime/corpus/complete", test_corpus_complete);
  for (guint i = 0; i < names->len; i++)
    {
      g_autofree char *path = g_strdup_printf ("/heron/mime/corpus/%s", (char *) g_ptr_array_index (names, i));

      g_test_add_data_func (path, g_ptr_array_index (names, i), test_corpus_file);
    }
  g_test_add_func ("/heron/mime/corpus/deep-nesting", test_deep_nesting);
  g_test_add_func ("/heron/mime/corpus/very-deep-nesting", test_very_deep_nesting);
  g_test_add_func ("/heron/mime/corpus/megabyte-header-lines", test_megabyte_header_lines);
  g_test_add_func ("/heron/mime/corpus/many-parts", test_many_parts);
  g_test_add_func ("/heron/mime/corpus/cid-lookup", test_cid_lookup);
  g_test_add_func ("/heron/mime/corpus/attached-message", test_attached_message);
  g_test_add_func ("/heron/mime/corpus/save-attachment", test_save_attachment);
  g_test_add_func ("/heron/mime/corpus/degenerate-inputs", test_degenerate_inputs);

  ret = g_test_run ();
  g_clear_pointer (&names, g_ptr_array_unref);
  g_clear_pointer (&dir, g_dir_close);
  heron_mime_shutdown ();
  return ret;
}
