/* test-mime-sender.c: the real-address rule, with mailsploit-style From headers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "mime/heron-mime.h"

typedef struct {
  const char           *from;      /* raw From value */
  const char           *display;
  HeronMimeSenderFlags  flags;     /* exactly these */
} SenderCase;

static void
test_mailsploit (void)
{
  static const SenderCase cases[] = {
    /* honest senders */
    { "Alice Example <alice@example.test>", "Alice Example", 0 },
    { "alice@example.test", "alice@example.test", 0 },
    { "\"alice@example.test\" <alice@example.test>", "alice@example.test", 0 },
    { "=?utf-8?q?Zo=C3=AB_Martin?= <zoe@example.test>", "Zoë Martin", 0 },
    { "=?utf-8?b?5bGx55Sw5aSq6YOO?= <yamada@example.test>", "山田太郎", 0 },
    { "=?utf-8?b?0JjQstCw0L0g0J/QtdGC0YDQvtCy?= <ivan@example.test>", "Иван Петров", 0 },
    { "=?utf-8?b?zpHOuM6uzr3OsSDOms+Fz4HOuc6xzrrOv8+N?= <athina@example.test>", "Αθήνα Κυριακού", 0 },
    { "=?utf-8?b?VOOCt+ODo+ODhOWxiw==?= <shop@example.test>", "Tシャツ屋", 0 },
    { "\"Doe, John\" <john@example.test>", "Doe, John", 0 },
    { "J. R. R. Tolkien <jrr@example.test>", "J. R. R. Tolkien", 0 },
    /* an address in the name */
    { "\"security@bank.example\" <attacker@evil.example>",
      "security@bank.example <attacker@evil.example>", HERON_MIME_SENDER_AT_SIGN | HERON_MIME_SENDER_DOMAIN_NAME },
    { "\"security＠bank.example\" <attacker@evil.example>",
      "security＠bank.example <attacker@evil.example>", HERON_MIME_SENDER_AT_SIGN | HERON_MIME_SENDER_DOMAIN_NAME },
    { "PayPal.com <attacker@evil.example>", "PayPal.com <attacker@evil.example>", HERON_MIME_SENDER_DOMAIN_NAME },
    /* encoded words hiding brackets, commas, NUL, newlines */
    { "=?utf-8?b?cG90dXNAd2hpdGVob3VzZS5leGFtcGxlPHRlc3Q+?= <a@evil.example>",
      "potus@whitehouse.example<test> <a@evil.example>",
      HERON_MIME_SENDER_AT_SIGN | HERON_MIME_SENDER_DOMAIN_NAME | HERON_MIME_SENDER_ENCODED_SPECIALS },
    /* "Last, First" is everyday mail; a comma that hides an address or domain is not */
    { "=?utf-8?q?M=C3=BCller=2C_Wolfgang?= <w@example.test>", "Müller, Wolfgang", 0 },
    { "=?utf-8?q?support=40bank=2Eexample=2C?= <a@evil.example>", "support@bank.example, <a@evil.example>",
      HERON_MIME_SENDER_AT_SIGN | HERON_MIME_SENDER_DOMAIN_NAME | HERON_MIME_SENDER_ENCODED_SPECIALS },
    { "=?utf-8?q?Bank=2C_Support=3E?= <a@evil.example>", "Bank, Support> <a@evil.example>",
      HERON_MIME_SENDER_ENCODED_SPECIALS },
    { "=?utf-8?q?Bank=00Support?= <a@evil.example>", "Bank\xef\xbf\xbdSupport <a@evil.example>",
      HERON_MIME_SENDER_CONTROL },
    { "=?utf-8?q?Bank=0D=0ASupport?= <a@evil.example>", "Bank Support <a@evil.example>",
      HERON_MIME_SENDER_CONTROL },
    /* bidi controls and invisible characters are removed from what is shown */
    { "=?utf-8?b?4oCuZWxwbWF4ZS5rbmFiQHRyb3BwdXM=?= <a@evil.example>",
      "elpmaxe.knab@troppus <a@evil.example>",
      HERON_MIME_SENDER_AT_SIGN | HERON_MIME_SENDER_INVISIBLE | HERON_MIME_SENDER_ENCODED_SPECIALS },
    { "=?utf-8?b?UGF54oCLUGFs?= <a@evil.example>", "PayPal <a@evil.example>", HERON_MIME_SENDER_INVISIBLE },
    /* mixed scripts and whole-script look-alikes */
    { "=?utf-8?b?UNCwedCgYWw=?= <a@evil.example>", "PаyРal <a@evil.example>", HERON_MIME_SENDER_MIXED_SCRIPTS },
    { "=?utf-8?b?0KDQsNGD0KDQsNOP?= <a@evil.example>", "РауРаӏ <a@evil.example>", HERON_MIME_SENDER_CONFUSABLE },
    { "=?utf-8?b?zpHOoc6fzqQ=?= <a@evil.example>", "ΑΡΟΤ <a@evil.example>", HERON_MIME_SENDER_CONFUSABLE },
    /* more than one mailbox */
    { "Bank <support@bank.example>, Mallory <m@evil.example>",
      "Bank <support@bank.example>, Mallory <m@evil.example>", HERON_MIME_SENDER_MULTIPLE },
    /* broken or encoded addresses are shown as written */
    { "=?utf-8?b?cG90dXNAd2hpdGVob3VzZS5leGFtcGxl?==?utf-8?Q?=00?=@evil.example",
      "=?utf-8?b?cG90dXNAd2hpdGVob3VzZS5leGFtcGxl?==?utf-8?Q?=00?=@evil.example", HERON_MIME_SENDER_BAD_ADDRESS },
    { "Barack Obama", "Barack Obama", HERON_MIME_SENDER_BAD_ADDRESS },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GPtrArray) from = heron_mime_address_list_parse (cases[i].from, -1);
      HeronMimeSenderFlags flags = 0;
      g_autofree char *display = heron_mime_sender_display (from, &flags);

      g_test_message ("case %u: %s", i, cases[i].from);
      g_assert_cmpstr (display, ==, cases[i].display);
      g_assert_cmphex (flags, ==, cases[i].flags);
    }
}

static void
test_scripts (void)
{
  g_assert_false (heron_mime_sender_word_mixes_scripts ("Paypal", -1));
  g_assert_true (heron_mime_sender_word_mixes_scripts ("Pаypal", -1));     /* Cyrillic а */
  g_assert_true (heron_mime_sender_word_mixes_scripts ("Αpple", -1));      /* Greek Alpha */
  g_assert_false (heron_mime_sender_word_mixes_scripts ("Müller", -1));
  g_assert_false (heron_mime_sender_word_mixes_scripts ("Tシャツ", -1));
  g_assert_false (heron_mime_sender_word_mixes_scripts ("東京タワー", -1));
  g_assert_false (heron_mime_sender_word_mixes_scripts ("O'Brien-Smith", -1));
  g_assert_false (heron_mime_sender_word_mixes_scripts ("123", -1));
}

static void
test_empty (void)
{
  g_autoptr(GPtrArray) from = g_ptr_array_new ();
  HeronMimeSenderFlags flags = 1;
  g_autofree char *display = heron_mime_sender_display (from, &flags);

  g_assert_cmpstr (display, ==, "");
  g_assert_cmpint (flags, ==, 0);
}

int
main (int    argc,
      char **argv)
{
  int ret;

  g_test_init (&argc, &argv, NULL);
  heron_mime_init ();
  g_test_add_func ("/heron/mime/sender/mailsploit", test_mailsploit);
  g_test_add_func ("/heron/mime/sender/scripts", test_scripts);
  g_test_add_func ("/heron/mime/sender/empty", test_empty);
  ret = g_test_run ();
  heron_mime_shutdown ();
  return ret;
}
