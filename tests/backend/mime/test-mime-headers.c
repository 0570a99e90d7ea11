/* test-mime-headers.c: header decoding (RFC 2047, RFC 2231 suffixes, raw 8-bit), charsets and
 * address lists
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "mime/heron-mime.h"

typedef struct {
  const char *raw;
  const char *decoded;
  HeronMimeDecodeFlags must;     /* flags that must be set */
} DecodeCase;

static void
test_encoded_words (void)
{
  static const DecodeCase cases[] = {
    { "plain text", "plain text", 0 },
    { "  folded\r\n   over\n\tlines  ", "folded over lines", 0 },
    { "=?utf-8?q?caf=C3=A9?=", "café", HERON_MIME_DECODE_ENCODED_WORDS },
    { "=?UTF-8?B?Y2Fmw6k=?=", "café", HERON_MIME_DECODE_ENCODED_WORDS },
    /* white space between encoded words goes, between a word and text stays (RFC 2047 6.2) */
    { "=?utf-8?q?a?= =?utf-8?q?b?=", "ab", 0 },
    { "=?utf-8?q?a?=\r\n =?utf-8?q?b?=", "ab", 0 },
    { "=?utf-8?q?a?= b =?utf-8?q?c?=", "a b c", 0 },
    { "=?utf-8?q?a_b?=", "a b", 0 },
    /* a UTF-8 character split over two words */
    { "=?utf-8?b?4oI=?= =?utf-8?b?rA==?=", "€", 0 },
    { "=?ISO-8859-1?Q?Andr=E9?= Pirard", "André Pirard", 0 },
    { "=?iso-8859-15?q?=A4?=", "€", 0 },
    { "=?windows-1251?b?z/Do4uXy?=", "Привет", 0 },
    { "=?koi8-r?b?8NLJ18XU?=", "Привет", 0 },
    { "=?iso-2022-jp?b?GyRCJEskWyRzGyhC?=", "にほん", 0 },
    { "=?shift_jis?b?g26DjYFb?=", "ハロー", 0 },
    { "=?gb2312?b?xOO6ww==?=", "你好", 0 },
    { "=?utf-8*en?q?lang?=", "lang", 0 },
    /* broken words stay text */
    { "=?utf-8?x?abc?=", "=?utf-8?x?abc?=", 0 },
    { "=?utf-8?q?no end", "=?utf-8?q?no end", 0 },
    { "=??q?x?=", "=??q?x?=", 0 },
    /* encoded words glued to text (not allowed, common) */
    { "Re:=?utf-8?q?caf=C3=A9?=", "Re:café", 0 },
    /* an unknown charset: UTF-8 if valid, else the fallback */
    { "=?x-unknown?q?=C3=A9?=", "é", 0 },
    { "=?bogus?q?=E9?=", "é", 0 },
    /* raw 8-bit: UTF-8 when valid, windows-1252 otherwise */
    { "Pr\xc3\xbc" "fung", "Prüfung", 0 },
    { "J\xfcrgen \x93quoted\x94", "Jürgen “quoted”", 0 },
    /* controls and specials from encoded words are reported and replaced */
    { "=?utf-8?q?a=00b?=", "a\xef\xbf\xbd" "b", HERON_MIME_DECODE_CONTROL },
    { "=?utf-8?q?a=0D=0Ab?=", "a b", HERON_MIME_DECODE_CONTROL },
    { "=?utf-8?q?a=07b?=", "a\xef\xbf\xbd" "b", HERON_MIME_DECODE_CONTROL },
    { "=?utf-8?q?Doe=2C_John?=", "Doe, John", HERON_MIME_DECODE_ENCODED_COMMA },
    { "=?utf-8?q?=3Cx=40y=3E?=", "<x@y>", HERON_MIME_DECODE_ENCODED_SPECIALS },
    /* invalid UTF-8 in a UTF-8 word becomes U+FFFD; without any valid sequence the bytes are
     * taken for mislabelled windows-1252 */
    { "=?utf-8?q?=C3=A9=C3=28?=", "é\xef\xbf\xbd(", HERON_MIME_DECODE_REPLACED },
    { "=?utf-8?q?ok=C3=28?=", "okÃ(", 0 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      HeronMimeDecodeFlags flags = 0;
      g_autofree char *out = heron_mime_decode_header (cases[i].raw, -1, 0, &flags);

      g_test_message ("case %u: %s", i, cases[i].raw);
      g_assert_cmpstr (out, ==, cases[i].decoded);
      g_assert_true (g_utf8_validate (out, -1, NULL));
      g_assert_cmpint (flags & cases[i].must, ==, cases[i].must);
    }
}

static void
test_decode_limits (void)
{
  GString *big = g_string_new (NULL);
  HeronMimeDecodeFlags flags = 0;
  g_autofree char *out = NULL;
  g_autofree char *short_out = NULL;

  for (guint i = 0; i < 200000; i++)
    g_string_append (big, "=?utf-8?q?=C3=A9?= ");
  out = heron_mime_decode_header (big->str, big->len, 0, &flags);
  g_assert_true (flags & HERON_MIME_DECODE_TRUNCATED);
  g_assert_cmpuint (g_utf8_strlen (out, -1), ==, HERON_MIME_MAX_HEADER_CHARS + 1);
  g_assert_true (g_str_has_suffix (out, "…"));
  short_out = heron_mime_decode_header ("abcdef", -1, 3, &flags);
  g_assert_cmpstr (short_out, ==, "abc…");
  g_string_free (big, TRUE);
}

typedef struct {
  const char *raw;
  const char *expected;   /* "name|address;name|address" */
} ListCase;

static void
test_address_lists (void)
{
  static const ListCase cases[] = {
    { "alice@example.test", "|alice@example.test" },
    { "Alice <alice@example.test>", "Alice|alice@example.test" },
    { "\"Doe, John\" <john@example.test>, bob@example.test", "Doe, John|john@example.test;|bob@example.test" },
    { "=?utf-8?q?Zo=C3=AB?= <zoe@example.test>", "Zoë|zoe@example.test" },
    { "\"=?utf-8?q?Zo=C3=AB?=\" <zoe@example.test>", "Zoë|zoe@example.test" },
    { "bob@example.test (Bob Smith)", "Bob Smith|bob@example.test" },
    { "Team: a@example.test, B <b@example.test>;, c@example.test",
      "|a@example.test;B|b@example.test;|c@example.test" },
    { "undisclosed-recipients:;", "" },
    { "<@relay.example:user@example.test>", "|user@example.test" },
    { "Broken <broken@example.test", "Broken|broken@example.test" },
    { "\"Quote \\\"inside\\\"\" <q@example.test>", "Quote \"inside\"|q@example.test" },
    { "Barack Obama", "|Barack Obama" },
    { "J\xfcrgen <j@example.test>", "Jürgen|j@example.test" },
    { "\xd0\x98\xd0\xb2\xd0\xb0\xd0\xbd <ivan@\xd0\xbf\xd1\x80\xd0\xb8\xd0\xbc\xd0\xb5\xd1\x80.test>",
      "Иван|ivan@пример.test" },
    { ", , ,", "" },
    { "", "" },
    /* an encoded word that decodes to brackets does not make an address */
    { "=?utf-8?q?=3Cevil=40x=3E?= <real@example.test>", "<evil@x>|real@example.test" },
    { "a@example.test (comment (nested) here)", "comment (nested) here|a@example.test" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GPtrArray) list = heron_mime_address_list_parse (cases[i].raw, -1);
      GString *got = g_string_new (NULL);

      for (guint j = 0; j < list->len; j++)
        {
          HeronMimeAddress *a = g_ptr_array_index (list, j);

          g_string_append_printf (got, "%s%s|%s", j > 0 ? ";" : "", a->name, a->address);
        }
      g_test_message ("case %u: %s", i, cases[i].raw);
      g_assert_cmpstr (got->str, ==, cases[i].expected);
      g_string_free (got, TRUE);
    }
}

static void
test_address_limits (void)
{
  GString *big = g_string_new (NULL);
  g_autoptr(GPtrArray) list = NULL;

  for (guint i = 0; i < 5000; i++)
    g_string_append_printf (big, "u%u@example.test, ", i);
  list = heron_mime_address_list_parse (big->str, big->len);
  g_assert_cmpuint (list->len, <=, HERON_MIME_MAX_ADDRESSES);
  g_assert_cmpuint (list->len, >, 100);
  g_string_free (big, TRUE);

  g_assert_true (heron_mime_address_equal_addr ("Alice@Example.TEST", "alice@example.test"));
  g_assert_false (heron_mime_address_equal_addr ("alice@example.test", "bob@example.test"));
  g_assert_false (heron_mime_address_equal_addr ("", ""));
}

/* Body charsets through whole messages. */
static void
test_body_charsets (void)
{
  static const struct {
    const char *header;
    const char *body;
    const char *text;
  } cases[] = {
    { "text/plain; charset=utf-8", "caf\xc3\xa9", "café" },
    { "text/plain; charset=iso-8859-1", "caf\xe9 \x80", "café €" },
    { "text/plain; charset=iso-8859-1", "caf\xc3\xa9", "café" },          /* mislabelled UTF-8 */
    { "text/plain; charset=us-ascii", "caf\xc3\xa9", "café" },
    { "text/plain", "caf\xe9", "café" },
    { "text/plain; charset=utf-8", "caf\xe9", "café" },                   /* mislabelled Latin-1 */
    { "text/plain; charset=utf-8", "\xc3\xa9 and \xff", "é and \xef\xbf\xbd" },
    { "text/plain; charset=koi8-r", "\xf0\xd2\xc9\xd7\xc5\xd4", "Привет" },
    { "text/plain; charset=x-no-such-charset", "caf\xc3\xa9", "café" },
    { "text/plain; charset=utf-16le", "h\0i\0", "hi" },
    { "text/plain; charset=utf-8", "nul\0byte", "nul\xef\xbf\xbd" "byte" },
    { "text/plain; charset=utf-8", "crlf\r\nand cr\rend", "crlf\nand cr\nend" },
    { "text/html", "<meta charset=\"iso-8859-2\"><p>\xb1</p>", "ą" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GByteArray) raw = g_byte_array_new ();
      g_autofree char *head = g_strdup_printf ("Subject: c\nContent-Type: %s\nContent-Transfer-Encoding: binary\n\n",
                                               cases[i].header);
      g_autoptr(GBytes) bytes = NULL;
      g_autoptr(HeronMimeMessage) msg = NULL;
      gsize body_len = strlen (cases[i].body);

      /* bodies with NUL bytes: the length is that of the literal */
      if (strstr (cases[i].header, "utf-16") != NULL)
        body_len = 4;
      else if (strcmp (cases[i].text, "nul\xef\xbf\xbd" "byte") == 0)
        body_len = 8;
      g_byte_array_append (raw, (const guint8 *) head, strlen (head));
      g_byte_array_append (raw, (const guint8 *) cases[i].body, body_len);
      bytes = g_bytes_new (raw->data, raw->len);
      msg = heron_mime_message_new_from_bytes (bytes, NULL);
      g_test_message ("case %u: %s", i, cases[i].header);
      g_assert_cmpstr (heron_mime_message_get_text (msg), ==, cases[i].text);
    }
}

static void
test_thread_headers (void)
{
  const char *text =
    "Message-ID: <one@example.test>\n"
    "In-Reply-To: Your message of Monday <parent@example.test>\n"
    "References: <root@example.test>\n <mid@example.test>\t<parent@example.test>\n"
    "List-Id: Developers <dev.lists.example.test>\n"
    "Date: Mon, 11 Nov 2024 16:00:00 +0100\n\nx\n";
  g_autoptr(GBytes) bytes = g_bytes_new_static (text, strlen (text));
  g_autoptr(HeronMimeMessage) msg = heron_mime_message_new_from_bytes (bytes, NULL);
  const char * const *refs = heron_mime_message_get_references (msg);
  GDateTime *date = heron_mime_message_get_date (msg);

  g_assert_cmpstr (heron_mime_message_get_message_id (msg), ==, "one@example.test");
  g_assert_cmpstr (heron_mime_message_get_in_reply_to (msg), ==, "parent@example.test");
  g_assert_cmpuint (g_strv_length ((GStrv) refs), ==, 3);
  g_assert_cmpstr (refs[0], ==, "root@example.test");
  g_assert_cmpstr (refs[2], ==, "parent@example.test");
  g_assert_cmpstr (heron_mime_message_get_list_id (msg), ==, "dev.lists.example.test");
  g_assert_nonnull (date);
  g_assert_cmpint (g_date_time_to_unix (date), ==, 1731337200);
}

static void
test_many_references (void)
{
  GString *m = g_string_new ("References:");
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(HeronMimeMessage) msg = NULL;
  const char * const *refs;

  for (guint i = 0; i < 500; i++)
    g_string_append_printf (m, " <r%u@example.test>", i);
  g_string_append (m, "\n\nx\n");
  bytes = g_bytes_new (m->str, m->len);
  msg = heron_mime_message_new_from_bytes (bytes, NULL);
  refs = heron_mime_message_get_references (msg);
  /* the root and the nearest ancestors */
  g_assert_cmpuint (g_strv_length ((GStrv) refs), ==, HERON_MIME_MAX_REFERENCES);
  g_assert_cmpstr (refs[0], ==, "r0@example.test");
  g_assert_cmpstr (refs[HERON_MIME_MAX_REFERENCES - 1], ==, "r499@example.test");
  g_string_free (m, TRUE);
}

/* Values built to make a naive decoder quadratic stay fast. */
static void
test_pathological (void)
{
  GString *m = g_string_new ("Subject: ");
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(HeronMimeMessage) msg = NULL;
  gint64 start = g_get_monotonic_time ();

  for (guint i = 0; i < 20000; i++)
    g_string_append (m, "=?utf-8?q?");
  g_string_append (m, "\nReferences: ");
  for (guint i = 0; i < 60000; i++)
    g_string_append_c (m, '<');
  g_string_append (m, "a@b>\nFrom: ");
  for (guint i = 0; i < 30000; i++)
    g_string_append (m, "(<\"");
  g_string_append (m, "\n\nbody\n");
  bytes = g_bytes_new (m->str, m->len);
  msg = heron_mime_message_new_from_bytes (bytes, NULL);
  g_assert_cmpstr (heron_mime_message_get_references (msg)[0], ==, "a@b");
  g_assert_cmpint (g_get_monotonic_time () - start, <, 20 * G_USEC_PER_SEC);
  g_string_free (m, TRUE);
}

/* The parts of an address list as typed: commas inside quotes, comments and angle brackets do not
 * split; a backslash escapes only inside quotes and comments. */
static void
test_address_split (void)
{
  static const struct {
    const char *text;
    const char *parts[5];
  } cases[] = {
    { "", { "", NULL } },
    { "a@b", { "a@b", NULL } },
    { "a@b, c@d", { "a@b", " c@d", NULL } },
    { "a@b, ", { "a@b", " ", NULL } },
    /* an escaped quote does not end the quoted string: its comma stays inside */
    { "\"a\\\",\" <x@y>, b@c", { "\"a\\\",\" <x@y>", " b@c", NULL } },
    { "\"Example, Carol\" <carol@example.test>, bob@example.test",
      { "\"Example, Carol\" <carol@example.test>", " bob@example.test", NULL } },
    /* a comment, nested, with an escaped parenthesis */
    { "bob@x (Bob, (Jr.\\) x), y), c@d", { "bob@x (Bob, (Jr.\\) x), y)", " c@d", NULL } },
    { "<a,b@c>, d@e", { "<a,b@c>", " d@e", NULL } },
    /* outside quotes a backslash is an ordinary character: the comma after it splits */
    { "a\\,b@c", { "a\\", "b@c", NULL } },
    /* an open quote runs to the end: the part being typed */
    { "a@b, \"Smith, J", { "a@b", " \"Smith, J", NULL } },
    /* a backslash at the very end */
    { "\"a\\", { "\"a\\", NULL } },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GArray) spans = heron_mime_address_list_split (cases[i].text);
      guint n = g_strv_length ((char **) cases[i].parts);

      g_test_message ("case %u: %s", i, cases[i].text);
      g_assert_cmpuint (spans->len, ==, n);
      for (guint k = 0; k < n; k++)
        {
          const HeronMimeAddressSpan *span = &g_array_index (spans, HeronMimeAddressSpan, k);
          g_autofree char *part = g_strndup (cases[i].text + span->start, span->end - span->start);

          g_assert_cmpstr (part, ==, cases[i].parts[k]);
        }
      g_assert_cmpuint (g_array_index (spans, HeronMimeAddressSpan, n - 1).end, ==, strlen (cases[i].text));
    }
}

/* Fields removed from the raw header: with their continuation lines, by name without regard to
 * case, only in the header block, everything else byte for byte. */
static void
test_remove_fields (void)
{
  static const struct {
    const char *message;
    const char *expected;
  } cases[] = {
    /* CRLF; folded Bcc; Resent-Bcc; white space before the colon; another case */
    { "From: a@example.org\r\nBcc: one@example.org,\r\n two@example.org\r\nTo: b@example.org\r\n"
      "Resent-Bcc: three@example.org\r\nbCC : four@example.org\r\nSubject: x\r\n\r\nBody\r\n",
      "From: a@example.org\r\nTo: b@example.org\r\nSubject: x\r\n\r\nBody\r\n" },
    /* a field whose name only starts with Bcc stays, and so does a Bcc line in the body */
    { "Bcc-Note: stays\nX-Bcc: stays\nBcc:\n\t<gone@example.org>\n\nBcc: in the body\n Bcc: too\n",
      "Bcc-Note: stays\nX-Bcc: stays\n\nBcc: in the body\n Bcc: too\n" },
    /* no header at all: the body starts at once */
    { "\r\nBcc: body@example.org\r\n", "\r\nBcc: body@example.org\r\n" },
    { "\nBcc: body@example.org\n", "\nBcc: body@example.org\n" },
    /* only a header, the last field without a line end */
    { "To: b@example.org\r\nBcc: c@example.org", "To: b@example.org\r\n" },
    { "Bcc: c@example.org\r\n", "" },
    { "", "" },
    /* the body is not parsed: 8-bit bytes, a lone dot, a MIME part with its own header */
    { "Bcc: x@example.org\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nBcc: y\r\n\r\n\xff\xfe.\r\n.\r\n--b--\r\n",
      "Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nBcc: y\r\n\r\n\xff\xfe.\r\n.\r\n--b--\r\n" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GBytes) message = g_bytes_new_static (cases[i].message, strlen (cases[i].message));
      g_autoptr(GBytes) result = heron_mime_remove_header_fields (message, HERON_MIME_BCC_FIELDS);
      g_autoptr(GBytes) expected = g_bytes_new_static (cases[i].expected, strlen (cases[i].expected));

      g_test_message ("case %u", i);
      g_assert_true (g_bytes_equal (result, expected));
    }

  /* other names, several at once; a field not named stays, folding and all */
  {
    static const char * const names[] = { "X-Heron-Draft", "Date", NULL };
    const char *raw = "Date: Mon, 2 Nov 2026 10:00:00 +0000\r\nX-Heron-Draft: reply\r\n"
                      "Subject: folded\r\n  over two lines\r\nx-heron-draft:new\r\n\r\nDate: body\r\n";
    const char *want = "Subject: folded\r\n  over two lines\r\n\r\nDate: body\r\n";
    g_autoptr(GBytes) message = g_bytes_new_static (raw, strlen (raw));
    g_autoptr(GBytes) result = heron_mime_remove_header_fields (message, names);
    g_autoptr(GBytes) expected = g_bytes_new_static (want, strlen (want));

    g_assert_true (g_bytes_equal (result, expected));
  }
}

int
main (int    argc,
      char **argv)
{
  int ret;

  g_test_init (&argc, &argv, NULL);
  heron_mime_init ();

  g_test_add_func ("/heron/mime/headers/encoded-words", test_encoded_words);
  g_test_add_func ("/heron/mime/headers/limits", test_decode_limits);
  g_test_add_func ("/heron/mime/headers/address-lists", test_address_lists);
  g_test_add_func ("/heron/mime/headers/address-limits", test_address_limits);
  g_test_add_func ("/heron/mime/headers/body-charsets", test_body_charsets);
  g_test_add_func ("/heron/mime/headers/thread-headers", test_thread_headers);
  g_test_add_func ("/heron/mime/headers/many-references", test_many_references);
  g_test_add_func ("/heron/mime/headers/pathological", test_pathological);
  g_test_add_func ("/heron/mime/headers/remove-fields", test_remove_fields);
  g_test_add_func ("/heron/mime/headers/address-split", test_address_split);

  ret = g_test_run ();
  heron_mime_shutdown ();
  return ret;
}
