/* test-imap-utf7.c: modified UTF-7 mailbox names (RFC 3501 section 5.1.3)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "imap/heron-imap-error.h"
#include "imap/heron-imap-utf7.h"

static void
assert_decodes (const char *mutf7,
                const char *utf8)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *decoded = heron_imap_utf7_decode (mutf7, &error);
  g_autofree char *encoded = heron_imap_utf7_encode (utf8);

  g_assert_no_error (error);
  g_assert_cmpstr (decoded, ==, utf8);
  g_assert_cmpstr (encoded, ==, mutf7);
}

static void
assert_rejected (const char *mutf7,
                 const char *why)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *decoded = heron_imap_utf7_decode (mutf7, &error);

  g_assert_null (decoded);
  g_assert_error (error, HERON_IMAP_ERROR, HERON_IMAP_ERROR_PARSE);
  if (strstr (error->message, why) == NULL)
    g_error ("\"%s\": error \"%s\" does not mention \"%s\"", mutf7, error->message, why);
}

static void
test_rfc3501_examples (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *merged = NULL;

  /* RFC 3501 section 5.1.3: English, Chinese and Japanese in one name */
  assert_decodes ("~peter/mail/&U,BTFw-/&ZeVnLIqe-",
                  "~peter/mail/\xe5\x8f\xb0\xe5\x8c\x97/\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e");
  /* "&Jjo!" lacks the shift back before "!"; the correct form is "&Jjo-!" */
  assert_rejected ("&Jjo!", "alphabet");
  assert_decodes ("&Jjo-!", "\xe2\x98\xba!");
  /* "&U,BTFw-&ZeVnLIqe-" has a superfluous shift; the correct form is "&U,BTF2XlZyyKng-" */
  assert_rejected ("&U,BTFw-&ZeVnLIqe-", "superfluous shift");
  merged = heron_imap_utf7_decode ("&U,BTF2XlZyyKng-", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (merged, ==, "\xe5\x8f\xb0\xe5\x8c\x97\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e");
}

static void
test_ascii_and_ampersand (void)
{
  assert_decodes ("", "");
  assert_decodes ("INBOX", "INBOX");
  assert_decodes ("&-", "&");
  assert_decodes ("R&-D", "R&D");
  assert_decodes ("a&-&-b", "a&&b");
  assert_decodes ("Entw&APw-rfe", "Entw\xc3\xbcrfe");
  assert_decodes ("&AOQA9gD8-", "\xc3\xa4\xc3\xb6\xc3\xbc");
  /* a non-BMP character is a surrogate pair */
  assert_decodes ("&2D3eAA-", "\xf0\x9f\x98\x80");
  /* an encoded character followed by "&" is not a null shift */
  assert_decodes ("&APw-&-", "\xc3\xbc&");
  /* control characters can only be encoded */
  assert_decodes ("&AAk-", "\t");
  assert_decodes ("&AH8-", "\x7f");
  assert_decodes (" ~!\"#$%'()*+,-./0123456789:;<=>?@[\\]^_`{|}",
                  " ~!\"#$%'()*+,-./0123456789:;<=>?@[\\]^_`{|}");
}

static void
test_malformed (void)
{
  assert_rejected ("&", "without a closing");
  assert_rejected ("abc&AOQ", "without a closing");
  assert_rejected ("&AO?-", "alphabet");
  assert_rejected ("&AO/k-", "alphabet");            /* "/" instead of "," */
  assert_rejected ("&AGE-", "not minimal");           /* "a" encoded */
  assert_rejected ("&ACY-", "not minimal");           /* "&" encoded */
  assert_rejected ("&AOQ-&APY-", "superfluous shift");
  assert_rejected ("&AOQA-", "middle of a character"); /* 6 bits left over */
  assert_rejected ("&AOR-", "non-zero padding");
  assert_rejected ("&2D0-", "unpaired high surrogate");
  assert_rejected ("&2D0AYQ-", "unpaired high surrogate");
  assert_rejected ("&3gA-", "unpaired low surrogate");
  assert_rejected ("&AAA-", "U+0000");
  assert_rejected ("caf\xc3\xa9", "8-bit byte");
  assert_rejected ("tab\there", "control character");
}

static void
test_decode_len (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *decoded = heron_imap_utf7_decode_len ("&APw-rfeXXXX", 8, &error);

  g_assert_no_error (error);
  g_assert_cmpstr (decoded, ==, "\xc3\xbcrfe");
}

static void
test_encode_invalid_utf8 (void)
{
  g_assert_null (heron_imap_utf7_encode ("caf\xe9"));
  g_assert_null (heron_imap_utf7_encode ("\xed\xa0\x80")); /* an encoded surrogate */
}

static gunichar
random_char (GRand *rand)
{
  for (;;)
    {
      gunichar c;

      switch (g_rand_int_range (rand, 0, 6))
        {
        case 0: c = g_rand_int_range (rand, 0x20, 0x7f); break;          /* printable ASCII */
        case 1: c = '&'; break;
        case 2: c = g_rand_int_range (rand, 1, 0x20); break;             /* control */
        case 3: c = g_rand_int_range (rand, 0x80, 0x800); break;
        case 4: c = g_rand_int_range (rand, 0x800, 0x10000); break;
        default: c = g_rand_int_range (rand, 0x10000, 0x110000); break;
        }
      if (c >= 0xd800 && c <= 0xdfff)
        continue;
      return c;
    }
}

static void
test_round_trip_random (void)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (20240501);

  for (guint iteration = 0; iteration < 5000; iteration++)
    {
      g_autoptr(GString) name = g_string_new (NULL);
      g_autoptr(GError) error = NULL;
      g_autofree char *encoded = NULL;
      g_autofree char *decoded = NULL;
      guint n = g_rand_int_range (rand, 0, 24);

      for (guint i = 0; i < n; i++)
        g_string_append_unichar (name, random_char (rand));

      encoded = heron_imap_utf7_encode (name->str);
      g_assert_nonnull (encoded);
      for (const char *p = encoded; *p; p++)
        g_assert_true (*p >= 0x20 && *p <= 0x7e);
      decoded = heron_imap_utf7_decode (encoded, &error);
      g_assert_no_error (error);
      g_assert_cmpstr (decoded, ==, name->str);
    }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/heron/imap/utf7/rfc3501-examples", test_rfc3501_examples);
  g_test_add_func ("/heron/imap/utf7/ascii-and-ampersand", test_ascii_and_ampersand);
  g_test_add_func ("/heron/imap/utf7/malformed", test_malformed);
  g_test_add_func ("/heron/imap/utf7/decode-len", test_decode_len);
  g_test_add_func ("/heron/imap/utf7/encode-invalid-utf8", test_encode_invalid_utf8);
  g_test_add_func ("/heron/imap/utf7/round-trip-random", test_round_trip_random);

  return g_test_run ();
}
