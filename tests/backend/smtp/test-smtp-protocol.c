/* test-smtp-protocol.c: the pieces of backend/smtp that need no server: the reply parser, the
 * DATA encoder, the send result and the error domain
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "smtp/heron-smtp-data.h"
#include "smtp/heron-smtp-error.h"
#include "smtp/heron-smtp-reply.h"
#include "smtp/heron-smtp-result.h"

/* Replies */

/* Feeds text in pieces of `step` bytes (0: all at once); returns the replies, and the error
 * that stopped the parser if any. */
static GPtrArray *
parse_all (const char            *text,
           gsize                  step,
           const HeronSmtpReplyLimits *limits,
           GError               **error)
{
  g_autoptr(HeronSmtpReplyParser) parser = heron_smtp_reply_parser_new (limits);
  GPtrArray *replies = g_ptr_array_new_with_free_func ((GDestroyNotify) heron_smtp_reply_unref);
  gsize len = strlen (text), pos = 0;

  while (pos < len)
    {
      gsize piece = step == 0 ? len - pos : MIN (step, len - pos);
      gsize done = 0;

      while (done < piece)
        {
          HeronSmtpReply *reply = NULL;
          gsize consumed = heron_smtp_reply_parser_feed (parser, (const guint8 *) text + pos + done,
                                                         piece - done, &reply, error);

          if (error != NULL && *error != NULL)
            return replies;
          done += consumed;
          if (reply != NULL)
            g_ptr_array_add (replies, reply);
          else
            g_assert_cmpuint (done, ==, piece);
        }
      pos += piece;
    }

  return replies;
}

static void
test_reply_multiline (void)
{
  const char *text =
    "250-mail.example.test Hello\r\n"
    "250-PIPELINING\r\n"
    "250-SIZE 10240000\r\n"
    "250-AUTH PLAIN LOGIN\r\n"
    "250 8BITMIME\r\n"
    "250 2.1.0 Ok\r\n";
  const gsize steps[] = { 0, 1, 2, 7, 64 };

  for (guint s = 0; s < G_N_ELEMENTS (steps); s++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GPtrArray) replies = parse_all (text, steps[s], NULL, &error);
      HeronSmtpReply *ehlo, *ok;
      g_autofree char *shown = NULL;

      g_assert_no_error (error);
      g_assert_cmpuint (replies->len, ==, 2);
      ehlo = g_ptr_array_index (replies, 0);
      g_assert_cmpuint (heron_smtp_reply_get_code (ehlo), ==, 250);
      g_assert_cmpuint (heron_smtp_reply_get_n_lines (ehlo), ==, 5);
      g_assert_cmpstr (heron_smtp_reply_get_lines (ehlo)[0], ==, "mail.example.test Hello");
      g_assert_cmpstr (heron_smtp_reply_get_lines (ehlo)[3], ==, "AUTH PLAIN LOGIN");
      g_assert_null (heron_smtp_reply_get_enhanced_code (ehlo));
      g_assert_true (heron_smtp_reply_is_success (ehlo));

      ok = g_ptr_array_index (replies, 1);
      g_assert_cmpstr (heron_smtp_reply_get_enhanced_code (ok), ==, "2.1.0");
      g_assert_cmpstr (heron_smtp_reply_get_text (ok), ==, "Ok");
      shown = heron_smtp_reply_to_string (ok);
      g_assert_cmpstr (shown, ==, "250 2.1.0 Ok");
    }
}

/* The enhanced code is taken out of every line; the text of the lines is joined. */
static void
test_reply_enhanced (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) replies = parse_all (
    "550-5.1.1 The email account that you tried to reach does not exist.\r\n"
    "550 5.1.1 Please try again.\r\n"
    "452 4.5.3 Too many recipients\r\n"
    "250 2.0.0 Ok: queued as 4Xq9ZB1xyz\r\n"
    "554 Transaction failed\r\n"
    "550 4.1.1 class does not match the code\r\n"
    "250 2.0\r\n"
    "334 \r\n"
    "220\r\n", 0, NULL, &error);
  HeronSmtpReply *reply;
  g_autofree char *shown = NULL;

  g_assert_no_error (error);
  g_assert_cmpuint (replies->len, ==, 8);

  reply = g_ptr_array_index (replies, 0);
  g_assert_cmpuint (heron_smtp_reply_get_code (reply), ==, 550);
  g_assert_cmpstr (heron_smtp_reply_get_enhanced_code (reply), ==, "5.1.1");
  g_assert_cmpstr (heron_smtp_reply_get_text (reply), ==,
                   "The email account that you tried to reach does not exist.\nPlease try again.");
  shown = heron_smtp_reply_to_string (reply);
  g_assert_cmpstr (shown, ==, "550 5.1.1 The email account that you tried to reach does not "
                              "exist. Please try again.");
  g_assert_false (heron_smtp_reply_is_transient (reply));

  reply = g_ptr_array_index (replies, 1);
  g_assert_cmpstr (heron_smtp_reply_get_enhanced_code (reply), ==, "4.5.3");
  g_assert_true (heron_smtp_reply_is_transient (reply));

  reply = g_ptr_array_index (replies, 2);
  g_assert_cmpstr (heron_smtp_reply_get_text (reply), ==, "Ok: queued as 4Xq9ZB1xyz");

  reply = g_ptr_array_index (replies, 3);
  g_assert_null (heron_smtp_reply_get_enhanced_code (reply));
  g_assert_cmpstr (heron_smtp_reply_get_text (reply), ==, "Transaction failed");

  /* Not enhanced codes: another class, too few parts. */
  g_assert_null (heron_smtp_reply_get_enhanced_code (g_ptr_array_index (replies, 4)));
  g_assert_cmpstr (heron_smtp_reply_get_text (g_ptr_array_index (replies, 4)), ==,
                   "4.1.1 class does not match the code");
  g_assert_null (heron_smtp_reply_get_enhanced_code (g_ptr_array_index (replies, 5)));

  /* An empty 334 challenge and a bare code. */
  g_assert_cmpuint (heron_smtp_reply_get_code (g_ptr_array_index (replies, 6)), ==, 334);
  g_assert_cmpstr (heron_smtp_reply_get_text (g_ptr_array_index (replies, 6)), ==, "");
  g_assert_cmpuint (heron_smtp_reply_get_code (g_ptr_array_index (replies, 7)), ==, 220);
}

/* The parser stops at the end of a reply: what follows is left for the caller. */
static void
test_reply_stops_at_end (void)
{
  g_autoptr(HeronSmtpReplyParser) parser = heron_smtp_reply_parser_new (NULL);
  g_autoptr(HeronSmtpReply) reply = NULL;
  g_autoptr(GError) error = NULL;
  const char *text = "220 2.0.0 Ready to start TLS\r\n250-injected\r\n250 AUTH PLAIN\r\n";
  gsize consumed;

  consumed = heron_smtp_reply_parser_feed (parser, (const guint8 *) text, strlen (text), &reply,
                                           &error);
  g_assert_no_error (error);
  g_assert_nonnull (reply);
  g_assert_cmpuint (consumed, ==, strlen ("220 2.0.0 Ready to start TLS\r\n"));
  g_assert_false (heron_smtp_reply_parser_is_partial (parser));
}

/* Bare LF ends a line too; control characters and invalid UTF-8 in text are made harmless. */
static void
test_reply_text_sanitized (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) replies = parse_all ("250-first\n250 esc\033[31m red\tand \xff\xfe bytes\r\n",
                                            0, NULL, &error);
  const char *text;

  g_assert_no_error (error);
  g_assert_cmpuint (replies->len, ==, 1);
  text = heron_smtp_reply_get_text (g_ptr_array_index (replies, 0));
  g_assert_true (g_utf8_validate (text, -1, NULL));
  g_assert_null (strchr (text, '\033'));
  g_assert_null (strchr (text, '\t'));
  g_assert_true (g_str_has_prefix (text, "first\nesc?[31m red and "));
}

static void
assert_malformed (const char *text,
                  gint        code)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) replies = NULL;
  HeronSmtpReplyLimits limits = { 128, 4 };

  replies = parse_all (text, 0, &limits, &error);
  g_assert_error (error, HERON_SMTP_ERROR, code);
  g_test_message ("%s", error->message);
}

/* Malformed replies and replies past the bounds fail the parser, clearly. */
static void
test_reply_malformed (void)
{
  g_autofree char *long_line = NULL;
  g_autofree char *unterminated = NULL;

  assert_malformed ("hello\r\n", HERON_SMTP_ERROR_PROTOCOL);
  assert_malformed ("25\r\n", HERON_SMTP_ERROR_PROTOCOL);
  assert_malformed ("2500 no separator\r\n", HERON_SMTP_ERROR_PROTOCOL);
  assert_malformed ("150 not an SMTP code\r\n", HERON_SMTP_ERROR_PROTOCOL);
  assert_malformed ("260 second digit out of range\r\n", HERON_SMTP_ERROR_PROTOCOL);
  assert_malformed ("25x nope\r\n", HERON_SMTP_ERROR_PROTOCOL);
  assert_malformed ("250-first\r\n251 another code\r\n", HERON_SMTP_ERROR_PROTOCOL);
  assert_malformed ("\r\n", HERON_SMTP_ERROR_PROTOCOL);
  assert_malformed ("250-1\r\n250-2\r\n250-3\r\n250-4\r\n250 5\r\n", HERON_SMTP_ERROR_LIMIT);

  long_line = g_strdup_printf ("250 %0200d\r\n", 0);
  assert_malformed (long_line, HERON_SMTP_ERROR_LIMIT);
  /* A line that never ends is refused as soon as it passes the bound, not held. */
  unterminated = g_strnfill (4096, 'x');
  assert_malformed (unterminated, HERON_SMTP_ERROR_LIMIT);
}

/* DATA */

static char *
encode (const char * const *pieces,
        gboolean           *out_8bit)
{
  HeronSmtpDataEncoder encoder;
  g_autoptr(GByteArray) out = g_byte_array_new ();

  heron_smtp_data_encoder_init (&encoder);
  for (guint i = 0; pieces[i] != NULL; i++)
    {
      gsize before = out->len;
      gsize len = strlen (pieces[i]);

      heron_smtp_data_encoder_feed (&encoder, (const guint8 *) pieces[i], len, out);
      g_assert_cmpuint (out->len - before, <=, len * HERON_SMTP_DATA_EXPANSION + HERON_SMTP_DATA_SLACK);
    }
  heron_smtp_data_encoder_finish (&encoder, out);
  g_assert_cmpuint (heron_smtp_data_encoder_get_out (&encoder), ==, out->len);
  if (out_8bit != NULL)
    *out_8bit = heron_smtp_data_encoder_saw_8bit (&encoder);
  g_byte_array_append (out, (const guint8 *) "", 1);
  return (char *) g_byte_array_free (g_steal_pointer (&out), FALSE);
}

static void
assert_encoded (const char * const *pieces,
                const char         *expected)
{
  g_autofree char *encoded = encode (pieces, NULL);

  g_assert_cmpstr (encoded, ==, expected);
}

static void
test_data_dot_stuffing (void)
{
  assert_encoded ((const char * const[]) { ".\r\n..\r\n.x\r\nx.\r\n", NULL },
                  "..\r\n...\r\n..x\r\nx.\r\n.\r\n");
  assert_encoded ((const char * const[]) { ".starts the message\r\n", NULL },
                  "..starts the message\r\n.\r\n");
  /* A dot at the start of a piece that is not the start of a line is left alone. */
  assert_encoded ((const char * const[]) { "a", ".b\r\n", ".", "c\r\n", NULL },
                  "a.b\r\n..c\r\n.\r\n");
  /* The end of the message cannot be faked. */
  assert_encoded ((const char * const[]) { "body\r\n.\r\nQUIT\r\n", NULL },
                  "body\r\n..\r\nQUIT\r\n.\r\n");
}

static void
test_data_line_ends (void)
{
  /* LF, CR and CRLF all become CRLF, also when CR and LF come in different pieces. */
  assert_encoded ((const char * const[]) { "a\nb\rc\r\nd", NULL }, "a\r\nb\r\nc\r\nd\r\n.\r\n");
  assert_encoded ((const char * const[]) { "a\r", "\nb\r", "\r\n", NULL }, "a\r\nb\r\n\r\n.\r\n");
  assert_encoded ((const char * const[]) { "a\r", ".b", NULL }, "a\r\n..b\r\n.\r\n");
  assert_encoded ((const char * const[]) { "a\r", NULL }, "a\r\n.\r\n");
  assert_encoded ((const char * const[]) { "\n\n", NULL }, "\r\n\r\n.\r\n");
  /* An empty message, and one without a final line end. */
  assert_encoded ((const char * const[]) { NULL }, ".\r\n");
  assert_encoded ((const char * const[]) { "no end", NULL }, "no end\r\n.\r\n");
}

static void
test_data_8bit (void)
{
  gboolean eight = TRUE;
  g_autofree char *ascii = encode ((const char * const[]) { "plain\r\n", "ascii\r\n", NULL }, &eight);
  g_autofree char *utf8 = NULL;
  guint64 size = 0;

  g_assert_false (eight);
  g_assert_cmpstr (ascii, ==, "plain\r\nascii\r\n.\r\n");
  utf8 = encode ((const char * const[]) { "plain\r\n", "Gr\xc3\xbc\xc3\x9f" "e\r\n", NULL }, &eight);
  g_assert_true (eight);
  g_assert_cmpstr (utf8, ==, "plain\r\nGr\xc3\xbc\xc3\x9f" "e\r\n.\r\n");

  heron_smtp_data_measure ((const guint8 *) "a\nb\r\nc\rd", 8, &eight, &size);
  g_assert_false (eight);
  g_assert_cmpuint (size, ==, strlen ("a\r\nb\r\nc\r\nd"));
  heron_smtp_data_measure ((const guint8 *) "\xe2\x82\xac\n", 4, &eight, &size);
  g_assert_true (eight);
  g_assert_cmpuint (size, ==, 5);
}

/* Errors */

static void
test_error_transient (void)
{
  g_autoptr(GError) timeout = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_TIMED_OUT, "slow");
  g_autoptr(GError) cancelled = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED, "no");
  g_autoptr(GError) auth = g_error_new_literal (HERON_SMTP_ERROR, HERON_SMTP_ERROR_AUTH, "no");
  g_autoptr(GError) unconfirmed = g_error_new_literal (HERON_SMTP_ERROR,
                                                       HERON_SMTP_ERROR_UNCONFIRMED, "maybe");
  g_autoptr(GError) copy = NULL;
  g_autoptr(HeronSmtpReply) busy = heron_smtp_reply_new (454, "4.7.0",
                                                         (const char * const[]) { "Try later", NULL });

  g_assert_true (heron_smtp_error_is_transient (timeout));
  g_assert_false (heron_smtp_error_is_transient (cancelled));
  g_assert_false (heron_smtp_error_is_transient (auth));
  g_assert_false (heron_smtp_error_is_transient (unconfirmed));
  g_assert_null (heron_smtp_error_get_reply (auth));
  g_assert_null (heron_smtp_error_get_reply (timeout));
  g_assert_null (heron_smtp_error_get_result (timeout));

  /* Extended errors keep what they carry when copied. */
  copy = g_error_copy (auth);
  g_assert_error (copy, HERON_SMTP_ERROR, HERON_SMTP_ERROR_AUTH);
  g_assert_null (heron_smtp_error_get_reply (copy));
  g_assert_cmpuint (heron_smtp_reply_get_code (busy), ==, 454);
  g_assert_true (heron_smtp_reply_is_transient (busy));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/heron/smtp/reply/multiline", test_reply_multiline);
  g_test_add_func ("/heron/smtp/reply/enhanced", test_reply_enhanced);
  g_test_add_func ("/heron/smtp/reply/stops-at-end", test_reply_stops_at_end);
  g_test_add_func ("/heron/smtp/reply/text-sanitized", test_reply_text_sanitized);
  g_test_add_func ("/heron/smtp/reply/malformed", test_reply_malformed);
  g_test_add_func ("/heron/smtp/data/dot-stuffing", test_data_dot_stuffing);
  g_test_add_func ("/heron/smtp/data/line-ends", test_data_line_ends);
  g_test_add_func ("/heron/smtp/data/8bit", test_data_8bit);
  g_test_add_func ("/heron/smtp/error/transient", test_error_transient);

  return g_test_run ();
}
