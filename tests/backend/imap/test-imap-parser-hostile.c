/* test-imap-parser-hostile.c: the IMAP response parser against hostile servers
 *
 * Truncated and mis-sized literals, unbalanced parentheses, NUL and 8-bit bytes, nesting bombs,
 * every limit, a 100 MB literal streamed in constant memory, and the parser's error behaviour.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "imap-parser-harness.h"

/* ---- hostile servers --------------------------------------------------------------------- */

static void
test_hostile_truncated (void)
{
  g_autoptr(GError) e1 = parse_error ("* 1 FETCH (BODY[] {100}\r\nonly a few bytes");
  g_autoptr(GError) e2 = parse_error ("* 1 FETCH (ENVELOPE (\"a\" {100}\r\nonly a few");
  g_autoptr(GError) e3 = parse_error ("* OK no end of line");
  g_autoptr(GError) e4 = parse_error ("* 1 FETCH (BODY[] {3}\r\nabc");

  assert_error_contains (e1, HERON_IMAP_ERROR_CLOSED, "in the middle of a literal");
  assert_error_contains (e1, HERON_IMAP_ERROR_CLOSED, "84 bytes missing");
  assert_error_contains (e2, HERON_IMAP_ERROR_CLOSED, "in the middle of a literal");
  assert_error_contains (e3, HERON_IMAP_ERROR_CLOSED, "in the middle of a response");
  assert_error_contains (e4, HERON_IMAP_ERROR_CLOSED, "in the middle of a response");
}

static void
test_hostile_wrong_literal_length (void)
{
  g_autoptr(GError) e1 = NULL;
  g_autoptr(GError) e2 = NULL;
  g_autoptr(GError) e3 = NULL;

  /* longer than announced: the rest of the "literal" is read as protocol and does not parse */
  e1 = parse_error ("* 1 FETCH (ENVELOPE (\"d\" {2}\r\nabcdef NIL NIL NIL NIL NIL NIL NIL NIL))\r\n");
  g_assert_error (e1, HERON_IMAP_ERROR, HERON_IMAP_ERROR_PARSE);

  /* shorter than announced: the literal swallows the following responses, then the stream ends
   * in the middle of it */
  e2 = parse_error ("* 1 FETCH (BODY[] {50}\r\nabc)\r\n* 2 FETCH (FLAGS ())\r\nA1 OK done\r\n");
  assert_error_contains (e2, HERON_IMAP_ERROR_CLOSED, "middle of a literal");

  /* a literal that is not at the end of its line */
  e3 = parse_error ("* 1 FETCH (BODY[] {4} \"x\")\r\n");
  assert_error_contains (e3, HERON_IMAP_ERROR_PARSE, "not at the end of the line");
}

static void
test_hostile_parens (void)
{
  g_autoptr(GError) e1 = parse_error ("* 1 FETCH (FLAGS (\\Seen)\r\n");
  g_autoptr(GError) e2 = parse_error ("* 1 FETCH (FLAGS ()))\r\n");
  g_autoptr(GError) e3 = parse_error ("* LIST (\\Noselect \"/\" foo\r\n");
  g_autoptr(GError) e4 = parse_error ("* FLAGS )(\r\n");

  assert_error_contains (e1, HERON_IMAP_ERROR_PARSE, "unclosed");
  assert_error_contains (e2, HERON_IMAP_ERROR_PARSE, "unbalanced \")\"");
  assert_error_contains (e3, HERON_IMAP_ERROR_PARSE, "unclosed");
  assert_error_contains (e4, HERON_IMAP_ERROR_PARSE, "unbalanced");
}

static void
test_hostile_nul (void)
{
  static const char w1[] = "* OK hello\0world\r\n";
  static const char w2[] = "* 1 FETCH (ENVELOPE (\"d\" {3}\r\na\0b NIL NIL NIL NIL NIL NIL NIL NIL NIL))\r\n";
  static const char w4[] = "* 1 FETCH (BODY[] {3}\r\na\0b)\r\n";
  g_autoptr(GError) e1 = parse_error_limits (NULL, w1, sizeof w1 - 1);
  g_autoptr(GError) e2 = parse_error_limits (NULL, w2, sizeof w2 - 1);
  g_autoptr(GError) e3 = parse_error_limits (NULL, "\0", 1);
  g_autoptr(GError) error = NULL;
  Run run;

  assert_error_contains (e1, HERON_IMAP_ERROR_PARSE, "NUL byte at offset 10");
  assert_error_contains (e2, HERON_IMAP_ERROR_PARSE, "NUL byte in a literal");
  assert_error_contains (e3, HERON_IMAP_ERROR_PARSE, "NUL");

  /* a NUL in a body section is data, not an error: such a message must stay fetchable */
  run_init (&run);
  feed_wire (&run, NULL, 0, w4, sizeof w4 - 1, SPLIT_BYTES, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (run.dumps->pdata[0], ==, "FETCH 1 BODY[]=3");
  run_clear (&run);
}

static void
test_hostile_8bit (void)
{
  g_autoptr(GError) e1 = parse_error ("* 1 FETCH (FL\xc3\xa4GS ())\r\n");
  g_autoptr(GError) e2 = parse_error ("* LIST () \"/\" f\xc3\xb6o\r\n");
  g_autoptr(GError) e3 = parse_error ("\xc3\xa4 OK x\r\n");
  g_autoptr(GError) e4 = parse_error ("* FLAGS (\\Se\x80n)\r\n");
  g_autoptr(HeronImapResponse) r = NULL;

  assert_error_contains (e1, HERON_IMAP_ERROR_PARSE, "8-bit byte 0xc3");
  assert_error_contains (e2, HERON_IMAP_ERROR_PARSE, "8-bit byte 0xc3 in an atom");
  assert_error_contains (e3, HERON_IMAP_ERROR_PARSE, "8-bit byte in a tag");
  assert_error_contains (e4, HERON_IMAP_ERROR_PARSE, "8-bit");

  /* IMAP4rev1 mode keeps raw 8-bit bytes of a quoted string (servers send raw headers) */
  r = parse_one ("* 1 FETCH (ENVELOPE (NIL \"Gr\xfc\xdf" "e\" NIL NIL NIL NIL NIL NIL NIL NIL))\r\n");
  g_assert_cmpstr (r->fetch.envelope->subject, ==, "Gr\xfc\xdf" "e");
}

static void
test_hostile_deep_nesting (void)
{
  g_autoptr(GString) wire = g_string_new ("* 1 FETCH (BODYSTRUCTURE ");
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) error2 = NULL;

  for (guint i = 0; i < 10000; i++)
    g_string_append_c (wire, '(');
  for (guint i = 0; i < 10000; i++)
    g_string_append_c (wire, ')');
  g_string_append (wire, ")\r\n");

  error = parse_error (wire->str);
  assert_error_contains (error, HERON_IMAP_ERROR_LIMIT, "nested deeper than 100 levels");

  /* the same for a LIST extended item */
  g_string_assign (wire, "* LIST () \"/\" x (");
  for (guint i = 0; i < 10000; i++)
    g_string_append (wire, "(a ");
  g_string_append (wire, "\r\n");
  error2 = parse_error (wire->str);
  assert_error_contains (error2, HERON_IMAP_ERROR_LIMIT, "nested deeper");
}

static void
test_hostile_nesting_within_limit (void)
{
  /* 40 levels of message/rfc822 inside each other: 81 levels of parentheses, under 100 */
  g_autoptr(GString) wire = g_string_new ("* 1 FETCH (BODYSTRUCTURE ");
  g_autoptr(HeronImapResponse) r = NULL;
  const HeronImapBody *b;
  guint depth = 0;

  for (guint i = 0; i < 40; i++)
    g_string_append (wire, "(\"MESSAGE\" \"RFC822\" NIL NIL NIL \"7BIT\" 1 "
                           "(NIL NIL NIL NIL NIL NIL NIL NIL NIL NIL) ");
  g_string_append (wire, "(\"TEXT\" \"PLAIN\" NIL NIL NIL \"7BIT\" 1 1)");
  for (guint i = 0; i < 40; i++)
    g_string_append (wire, " 1)");
  g_string_append (wire, ")\r\n");

  r = parse_one (wire->str);
  for (b = r->fetch.body; b->kind == HERON_IMAP_BODY_MESSAGE; b = b->message_body)
    depth++;
  g_assert_cmpuint (depth, ==, 40);
  g_assert_cmpint (b->kind, ==, HERON_IMAP_BODY_TEXT);
}

static void
test_hostile_line_limit (void)
{
  HeronImapParserLimits limits;
  g_autoptr(GString) wire = g_string_new ("* OK ");
  g_autoptr(GError) e1 = NULL;
  g_autoptr(GError) e2 = NULL;

  heron_imap_parser_limits_init (&limits);
  for (gsize i = 0; i < limits.max_line_length; i++)
    g_string_append_c (wire, 'x');
  g_string_append (wire, "\r\n");
  e1 = parse_error (wire->str);
  assert_error_contains (e1, HERON_IMAP_ERROR_LIMIT, "line longer than the limit of 1 MiB");

  /* a line without an end never grows past the limit either */
  limits.max_line_length = 1000;
  e2 = parse_error_limits (&limits, wire->str, 5000);
  assert_error_contains (e2, HERON_IMAP_ERROR_LIMIT, "line longer than the limit");
}

static void
test_hostile_literal_limit (void)
{
  g_autoptr(GError) e1 = parse_error ("* 1 FETCH (BODY[] {104857601}\r\n");
  g_autoptr(GError) e2 = parse_error ("* 1 FETCH (ENVELOPE (\"d\" {1048577}\r\n");
  g_autoptr(GError) e3 = parse_error ("* 1 FETCH (BODY[] {99999999999999999999}\r\n");
  g_autoptr(GError) e4 = parse_error ("* 1 FETCH (BODY[] {18446744073709551615}\r\n");
  g_autoptr(GError) e5 = parse_error ("* XFOO {1048577}\r\n");
  g_autoptr(GError) e6 = parse_error ("* 1 FETCH (ENVELOPE ~{3}\r\nabc)\r\n");
  g_autoptr(GError) e7 = parse_error ("* 1 FETCH (BODY[] ~{3}\r\nabc)\r\n");
  g_autoptr(GError) e8 = parse_error ("* 1 FETCH (BODY[] {3+}\r\nabc)\r\n");

  assert_error_contains (e1, HERON_IMAP_ERROR_LIMIT,
                         "literal of 104857601 bytes exceeds the limit of 100 MiB");
  assert_error_contains (e1, HERON_IMAP_ERROR_LIMIT, "FETCH");
  assert_error_contains (e2, HERON_IMAP_ERROR_LIMIT,
                         "literal of 1048577 bytes exceeds the limit of 1 MiB");
  assert_error_contains (e3, HERON_IMAP_ERROR_PARSE, "does not fit in 64 bits");
  assert_error_contains (e4, HERON_IMAP_ERROR_LIMIT, "18446744073709551615");
  assert_error_contains (e5, HERON_IMAP_ERROR_LIMIT, "1048577");
  assert_error_contains (e6, HERON_IMAP_ERROR_PARSE, "literal8 outside a BINARY item");
  assert_error_contains (e7, HERON_IMAP_ERROR_PARSE, "literal8 outside a BINARY item");
  assert_error_contains (e8, HERON_IMAP_ERROR_PARSE, "non-synchronizing");
}

static void
test_hostile_items_limit (void)
{
  HeronImapParserLimits limits;
  g_autoptr(GString) wire = g_string_new ("* FLAGS (");
  g_autoptr(GError) e1 = NULL;
  g_autoptr(GError) e2 = NULL;

  heron_imap_parser_limits_init (&limits);
  limits.max_items = 1000;
  for (guint i = 0; i < 2000; i++)
    g_string_append (wire, "a ");
  g_string_append (wire, ")\r\n");
  e1 = parse_error_limits (&limits, wire->str, -1);
  assert_error_contains (e1, HERON_IMAP_ERROR_LIMIT, "more than 1000 items");

  g_string_assign (wire, "* SEARCH");
  for (guint i = 0; i < 2000; i++)
    g_string_append (wire, " 1");
  g_string_append (wire, "\r\n");
  e2 = parse_error_limits (&limits, wire->str, -1);
  assert_error_contains (e2, HERON_IMAP_ERROR_LIMIT, "more than 1000 items");
}

static void
test_hostile_lines (void)
{
  g_autoptr(GError) e1 = parse_error ("\r\n");
  g_autoptr(GError) e2 = parse_error ("*\r\n");
  g_autoptr(GError) e3 = parse_error ("* \r\n");
  g_autoptr(GError) e4 = parse_error ("* OK fine\n");
  g_autoptr(GError) e5 = parse_error ("* OK a\rb\r\n");
  g_autoptr(GError) e6 = parse_error ("A1\r\n");
  g_autoptr(GError) e7 = parse_error ("* 1 FETCH (FLAGS (\\))\r\n");
  g_autoptr(GError) e8 = parse_error ("* 1 FETCH (ENVELOPE (\"unterminated))\r\n");
  g_autoptr(GError) e9 = parse_error ("* 1 FETCH (ENVELOPE (\"bad \\escape\"))\r\n");
  g_autoptr(GError) e10 = parse_error ("* CAPABILITY IMAP4rev1 \"quoted\"\r\n");
  g_autoptr(GError) e11 = parse_error ("* 1 FETCH (UID 1\x01)\r\n");

  assert_error_contains (e1, HERON_IMAP_ERROR_PARSE, "empty line");
  assert_error_contains (e2, HERON_IMAP_ERROR_PARSE, "no space after \"*\"");
  assert_error_contains (e3, HERON_IMAP_ERROR_PARSE, "response name");
  assert_error_contains (e4, HERON_IMAP_ERROR_PARSE, "bare LF");
  assert_error_contains (e5, HERON_IMAP_ERROR_PARSE, "CR not followed by LF");
  assert_error_contains (e6, HERON_IMAP_ERROR_PARSE, "tag");
  assert_error_contains (e7, HERON_IMAP_ERROR_PARSE, "without a flag name");
  assert_error_contains (e8, HERON_IMAP_ERROR_PARSE, "unterminated quoted string");
  assert_error_contains (e9, HERON_IMAP_ERROR_PARSE, "invalid escape");
  assert_error_contains (e10, HERON_IMAP_ERROR_PARSE, "capability");
  assert_error_contains (e11, HERON_IMAP_ERROR_PARSE, "control character 0x01");
}

static void
test_error_is_sticky (void)
{
  g_autoptr(HeronImapParser) parser = NULL;
  g_autoptr(GError) e1 = NULL;
  g_autoptr(GError) e2 = NULL;
  g_autoptr(GError) e3 = NULL;
  Run run;

  run_init (&run);
  parser = heron_imap_parser_new (NULL, run_on_response, &run, NULL);
  g_assert_false (heron_imap_parser_feed (parser, (const guint8 *) "* OK\n", 5, &e1));
  g_assert_false (heron_imap_parser_feed (parser, (const guint8 *) "* OK\r\n", 6, &e2));
  g_assert_cmpstr (e1->message, ==, e2->message);
  g_assert_false (heron_imap_parser_finish (parser, &e3));
  g_assert_cmpuint (run.dumps->len, ==, 0);

  /* reset (a new connection, or after STARTTLS) starts afresh */
  heron_imap_parser_reset (parser);
  g_assert_true (heron_imap_parser_is_idle (parser));
  g_assert_true (heron_imap_parser_feed (parser, (const guint8 *) "* OK hi\r\n* OK", 13, NULL));
  g_assert_false (heron_imap_parser_is_idle (parser));
  heron_imap_parser_reset (parser);
  g_assert_true (heron_imap_parser_feed (parser, (const guint8 *) "* BYE x\r\n", 9, NULL));
  g_assert_true (heron_imap_parser_finish (parser, NULL));
  g_assert_cmpuint (run.dumps->len, ==, 2);
  g_assert_cmpstr (run.dumps->pdata[1], ==, "* BYE \"x\"");
  run_clear (&run);
}

static void
test_callbacks_can_stop (void)
{
  g_autoptr(GError) e1 = NULL;
  g_autoptr(GError) e2 = NULL;
  Run run;

  run_init (&run);
  run.stop_after_first = TRUE;
  feed_wire (&run, NULL, 0, "* OK a\r\n* OK b\r\n", 16, SPLIT_WHOLE, 0, &e1);
  g_assert_error (e1, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpuint (run.dumps->len, ==, 1);
  run_clear (&run);

  run_init (&run);
  run.use_consumer = TRUE;
  run.consumer_fails = TRUE;
  feed_wire (&run, NULL, 0, "* 1 FETCH (BODY[] {3}\r\nabc)\r\n", 29, SPLIT_WHOLE, 0, &e2);
  g_assert_error (e2, G_IO_ERROR, G_IO_ERROR_NO_SPACE);
  g_assert_cmpuint (run.dumps->len, ==, 0);
  run_clear (&run);
}

static void
test_responses_outlive_parser (void)
{
  /* responses kept by the callback stay intact while the parser reuses its memory */
  g_autoptr(GString) wire = g_string_new (NULL);
  g_autoptr(GError) error = NULL;
  Run run;

  for (guint i = 1; i <= 300; i++)
    g_string_append_printf (wire, "* %u FETCH (UID %u FLAGS (k%u) ENVELOPE (\"d%u\" \"s%u\" "
                            "NIL NIL NIL NIL NIL NIL NIL NIL))\r\n", i, i * 2, i, i, i);
  run_init (&run);
  feed_wire (&run, NULL, 0, wire->str, wire->len, SPLIT_RANDOM, 9, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (run.responses->len, ==, 300);
  for (guint i = 1; i <= 300; i++)
    {
      HeronImapResponse *r = run.responses->pdata[i - 1];
      g_autofree char *subject = g_strdup_printf ("s%u", i);
      g_autofree char *flag = g_strdup_printf ("k%u", i);

      g_assert_cmpuint (r->fetch.uid, ==, i * 2);
      g_assert_cmpstr (r->fetch.envelope->subject, ==, subject);
      g_assert_cmpstr (r->fetch.flags.names[0], ==, flag);
    }
  run_clear (&run);
}

typedef struct {
  guint64 bytes;
  gsize largest_chunk;
} BigBody;

static gboolean
big_begin (const HeronImapBodyInfo *info, gpointer user_data, GError **error)
{
  g_assert_cmpuint (info->size, ==, 100 * 1024 * 1024);
  return TRUE;
}

static gboolean
big_chunk (const guint8 *data, gsize len, gpointer user_data, GError **error)
{
  BigBody *b = user_data;

  /* the content is 'a' + position % 26 */
  for (gsize i = 0; i < len; i += 4093)
    g_assert_cmpint (data[i], ==, 'a' + (b->bytes + i) % 26);
  b->bytes += len;
  b->largest_chunk = MAX (b->largest_chunk, len);
  return TRUE;
}

static gboolean
big_end (gpointer user_data, GError **error)
{
  return TRUE;
}

static gboolean
count_response (HeronImapParser *parser, HeronImapResponse *response, gpointer user_data,
                GError **error)
{
  (*(guint *) user_data)++;
  return TRUE;
}

static void
test_big_literal_streamed (void)
{
  /* a 100 MB body literal passes through in 64 KiB reads without the parser holding more than
   * its initial buffers */
  const gsize total = 100 * 1024 * 1024;
  static const HeronImapBodyConsumer big = { big_begin, big_chunk, big_end };
  g_autoptr(HeronImapParser) parser = NULL;
  g_autofree guint8 *chunk = g_malloc (64 * 1024);
  const char *head = "* 1 FETCH (UID 7 BODY[] {104857600}\r\n";
  HeronImapParserStats stats;
  BigBody body = { 0 };
  guint responses = 0;
  gsize sent = 0;

  parser = heron_imap_parser_new (NULL, count_response, &responses, NULL);
  heron_imap_parser_set_body_consumer (parser, &big, &body);
  g_assert_true (heron_imap_parser_feed (parser, (const guint8 *) head, strlen (head), NULL));
  while (sent < total)
    {
      gsize n = MIN (64 * 1024, total - sent);

      for (gsize i = 0; i < n; i++)
        chunk[i] = 'a' + (sent + i) % 26;
      g_assert_true (heron_imap_parser_feed (parser, chunk, n, NULL));
      sent += n;
    }
  g_assert_true (heron_imap_parser_feed (parser, (const guint8 *) ")\r\n", 3, NULL));
  g_assert_true (heron_imap_parser_finish (parser, NULL));

  heron_imap_parser_get_stats (parser, &stats);
  g_assert_cmpuint (body.bytes, ==, total);
  g_assert_cmpuint (responses, ==, 1);
  g_assert_cmpuint (stats.body_bytes, ==, total);
  g_test_message ("peak buffered: %" G_GSIZE_FORMAT " bytes", stats.peak_buffered);
  g_assert_cmpuint (stats.peak_buffered, <=, 1024 * 1024);
}

static void
test_big_literal_collected (void)
{
  /* without a consumer, a body is collected; what is held is then (only) that body */
  const gsize total = 3 * 1024 * 1024;
  g_autoptr(GString) wire = g_string_new ("* 1 FETCH (BODY[] {3145728}\r\n");
  g_autoptr(GError) error = NULL;
  HeronImapResponse *r;
  Run run;

  for (gsize i = 0; i < total; i++)
    g_string_append_c (wire, 'a' + i % 26);
  g_string_append (wire, ")\r\n");
  run_init (&run);
  feed_wire (&run, NULL, 0, wire->str, wire->len, SPLIT_WHOLE, 0, &error);
  g_assert_no_error (error);
  r = run.responses->pdata[0];
  g_assert_cmpuint (g_bytes_get_size (r->fetch.sections[0].data), ==, total);
  g_assert_cmpmem (g_bytes_get_data (r->fetch.sections[0].data, NULL), 26,
                   "abcdefghijklmnopqrstuvwxyz", 26);
  run_clear (&run);
}

static void
test_collected_sections_bounded (void)
{
  /* Without a consumer every body section of a FETCH is held until the response is delivered,
   * so they are bounded together: two sections of 600 KiB pass one by one under a 1 MiB limit,
   * but not both in one response. */
  HeronImapParserLimits limits;
  const gsize part = 600 * 1024;
  g_autoptr(GString) one = g_string_new (NULL);
  g_autoptr(GString) two = g_string_new (NULL);
  g_autoptr(GError) error = NULL;
  HeronImapParserStats stats;
  HeronImapParser *parser;
  Run run;

  heron_imap_parser_limits_init (&limits);
  limits.max_body_size = 1024 * 1024;

  g_string_append_printf (one, "* 1 FETCH (BODY[1] {%" G_GSIZE_FORMAT "}\r\n", part);
  for (gsize i = 0; i < part; i++)
    g_string_append_c (one, 'x');
  g_string_append (one, ")\r\n");

  /* one section: fine, and the parser's accounting sees the collected bytes */
  run_init (&run);
  parser = heron_imap_parser_new (&limits, run_on_response, &run, NULL);
  g_assert_true (heron_imap_parser_feed (parser, (const guint8 *) one->str, one->len, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (run.responses->len, ==, 1);
  heron_imap_parser_get_stats (parser, &stats);
  g_assert_cmpuint (stats.peak_buffered, >=, part);
  g_clear_pointer (&parser, heron_imap_parser_free);
  run_clear (&run);

  /* two sections in one response: a LIMIT error before the second is read */
  g_string_append_printf (two, "* 1 FETCH (BODY[1] {%" G_GSIZE_FORMAT "}\r\n", part);
  for (gsize i = 0; i < part; i++)
    g_string_append_c (two, 'x');
  g_string_append_printf (two, " BODY[2] {%" G_GSIZE_FORMAT "}\r\n", part);
  for (gsize i = 0; i < part; i++)
    g_string_append_c (two, 'y');
  g_string_append (two, ")\r\n");
  run_init (&run);
  g_assert_false (feed_wire (&run, &limits, 0, two->str, two->len, SPLIT_WHOLE, 0, &error));
  assert_error_contains (error, HERON_IMAP_ERROR_LIMIT, "body sections of one FETCH response");
  run_clear (&run);
}

static void
test_zero_where_positive (void)
{
  /* UIDVALIDITY and UIDNEXT are nz-numbers, a message's MODSEQ and the HIGHESTMODSEQ code are
   * positive: a 0 would read as "unknown" in the cache and hide a real change. */
  g_autoptr(GError) e1 = parse_error ("* OK [UIDVALIDITY 0] UIDs valid\r\n");
  g_autoptr(GError) e2 = parse_error ("* OK [UIDNEXT 0] Predicted next UID\r\n");
  g_autoptr(GError) e3 = parse_error ("* OK [HIGHESTMODSEQ 0] Highest\r\n");
  g_autoptr(GError) e4 = parse_error ("* 1 FETCH (UID 4 MODSEQ (0))\r\n");
  g_autoptr(GError) e5 = parse_error ("* STATUS INBOX (UIDVALIDITY 0)\r\n");
  g_autoptr(GError) e6 = parse_error ("* STATUS INBOX (UIDNEXT 0)\r\n");
  HeronImapResponse *ok;

  assert_error_contains (e1, HERON_IMAP_ERROR_PARSE, "UIDVALIDITY");
  assert_error_contains (e2, HERON_IMAP_ERROR_PARSE, "UIDNEXT");
  assert_error_contains (e3, HERON_IMAP_ERROR_PARSE, "HIGHESTMODSEQ");
  assert_error_contains (e4, HERON_IMAP_ERROR_PARSE, "MODSEQ");
  assert_error_contains (e5, HERON_IMAP_ERROR_PARSE, "UIDVALIDITY");
  assert_error_contains (e6, HERON_IMAP_ERROR_PARSE, "UIDNEXT");

  /* STATUS HIGHESTMODSEQ may be 0 (mod-sequence-valzer, RFC 7162) */
  ok = parse_one ("* STATUS INBOX (HIGHESTMODSEQ 0 MESSAGES 0)\r\n");
  g_assert_true (ok->mailbox_status.items & HERON_IMAP_STATUS_HIGHESTMODSEQ);
  g_assert_cmpuint (ok->mailbox_status.highestmodseq, ==, 0);
  heron_imap_response_unref (ok);
}

static void
test_section_control_bytes (void)
{
  /* header field names in a section are printable ASCII: an escape sequence is refused, so it
   * can never reach a log or the UI */
  g_autoptr(GError) e1 = parse_error ("* 1 FETCH (BODY[HEADER.FIELDS (\"\x1b[31m\")] \"x\")\r\n");
  g_autoptr(GError) e2 = parse_error ("* 1 FETCH (BODY[HEADER.FIELDS (\"Subj\xc3\xa9\")] \"x\")\r\n");

  assert_error_contains (e1, HERON_IMAP_ERROR_PARSE, "in a section");
  assert_error_contains (e2, HERON_IMAP_ERROR_PARSE, "in a section");
}

static void
test_random_splits_mixed (void)
{
  /* a stream of every kind of response, parsed in 50 different random splits */
  static const char wire[] =
    "* OK [CAPABILITY IMAP4rev1 LITERAL+ ID ENABLE IDLE] Dovecot ready.\r\n"
    "A1 OK [CAPABILITY IMAP4rev1 QRESYNC CONDSTORE UTF8=ACCEPT] Logged in\r\n"
    "* ID (\"name\" \"Dovecot\")\r\n"
    "* NAMESPACE ((\"\" \".\")) NIL NIL\r\n"
    "* LIST (\\HasNoChildren \\Drafts) \".\" Drafts\r\n"
    "* STATUS INBOX (MESSAGES 2 UIDNEXT 3 UIDVALIDITY 1 HIGHESTMODSEQ 9)\r\n"
    "* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft)\r\n"
    "* 2 EXISTS\r\n"
    "* VANISHED (EARLIER) 5:9\r\n"
    "* 1 FETCH (UID 1 FLAGS (\\Seen) MODSEQ (4) BODY[HEADER.FIELDS (SUBJECT)] {18}\r\n"
    "Subject: hello\r\n\r\n)\r\n"
    "* 2 FETCH (UID 2 ENVELOPE (NIL {6}\r\nsubj\") NIL NIL NIL NIL NIL NIL NIL NIL) "
    "BODYSTRUCTURE (\"text\" \"plain\" NIL NIL NIL \"7bit\" 0 0 NIL NIL NIL NIL))\r\n"
    "* ESEARCH (TAG \"A2\") UID COUNT 2 ALL 1:2\r\n"
    "* SEARCH 1 2\r\n"
    "+ idling\r\n"
    "* 1 EXPUNGE\r\n"
    "A2 OK done\r\n";
  g_autofree char *got = parse1 (wire);

  g_assert_cmpstr (got, ==,
                   "* OK [CAPABILITY (IMAP4rev1 LITERAL+ ID ENABLE IDLE)] \"Dovecot ready.\"\n"
                   "A1 OK [CAPABILITY (IMAP4rev1 QRESYNC CONDSTORE UTF8=ACCEPT)] \"Logged in\"\n"
                   "ID (\"name\" \"Dovecot\")\n"
                   "NAMESPACE ((\"\" \".\")) NIL NIL\n"
                   "LIST (\\HasNoChildren \\Drafts){HASNOCHILDREN,DRAFTS} \".\" \"Drafts\"\n"
                   "STATUS \"INBOX\" MESSAGES=2 UIDNEXT=3 UIDVALIDITY=1 HIGHESTMODSEQ=9\n"
                   "FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft){SEEN,ANSWERED,FLAGGED,DELETED,DRAFT}\n"
                   "EXISTS 2\n"
                   "VANISHED EARLIER 5:9\n"
                   "FETCH 1 UID=1 FLAGS=(\\Seen){SEEN} MODSEQ=4 BODY[HEADER.FIELDS (SUBJECT)]=18\n"
                   "FETCH 2 UID=2 ENVELOPE=(NIL \"subj\\\")\" NIL NIL NIL NIL NIL NIL NIL NIL) "
                   "BODYSTRUCTURE=(\"text\" \"plain\" NIL NIL NIL \"7bit\" 0 lines=0 ext:NIL NIL NIL NIL)\n"
                   "ESEARCH TAG=\"A2\" UID COUNT=2 ALL=1:2\n"
                   "SEARCH 1 2\n"
                   "+ \"idling\"\n"
                   "EXPUNGE 1\n"
                   "A2 OK \"done\"");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/heron/imap/parser/hostile/truncated", test_hostile_truncated);
  g_test_add_func ("/heron/imap/parser/hostile/wrong-literal-length", test_hostile_wrong_literal_length);
  g_test_add_func ("/heron/imap/parser/hostile/parentheses", test_hostile_parens);
  g_test_add_func ("/heron/imap/parser/hostile/nul", test_hostile_nul);
  g_test_add_func ("/heron/imap/parser/hostile/8bit", test_hostile_8bit);
  g_test_add_func ("/heron/imap/parser/hostile/deep-nesting", test_hostile_deep_nesting);
  g_test_add_func ("/heron/imap/parser/hostile/nesting-within-limit", test_hostile_nesting_within_limit);
  g_test_add_func ("/heron/imap/parser/hostile/line-limit", test_hostile_line_limit);
  g_test_add_func ("/heron/imap/parser/hostile/literal-limit", test_hostile_literal_limit);
  g_test_add_func ("/heron/imap/parser/hostile/items-limit", test_hostile_items_limit);
  g_test_add_func ("/heron/imap/parser/hostile/odd-lines", test_hostile_lines);
  g_test_add_func ("/heron/imap/parser/error-is-sticky", test_error_is_sticky);
  g_test_add_func ("/heron/imap/parser/callbacks-can-stop", test_callbacks_can_stop);
  g_test_add_func ("/heron/imap/parser/responses-outlive-parser", test_responses_outlive_parser);
  g_test_add_func ("/heron/imap/parser/literal/100mb-streamed", test_big_literal_streamed);
  g_test_add_func ("/heron/imap/parser/literal/collected", test_big_literal_collected);
  g_test_add_func ("/heron/imap/parser/literal/collected-bounded", test_collected_sections_bounded);
  g_test_add_func ("/heron/imap/parser/hostile/zero-where-positive", test_zero_where_positive);
  g_test_add_func ("/heron/imap/parser/hostile/section-control-bytes", test_section_control_bytes);
  g_test_add_func ("/heron/imap/parser/random-splits", test_random_splits_mixed);

  return g_test_run ();
}
