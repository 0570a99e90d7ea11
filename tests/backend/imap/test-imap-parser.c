/* test-imap-parser.c: the streaming IMAP response parser
 *
 * Every response is fed whole, byte by byte and in random splits, and must parse the same way
 * each time. The RFC examples live in data/rfc*.txt; this file runs them and holds the typed
 * assertions. Hostile servers and limits: test-imap-parser-hostile.c.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "imap-parser-harness.h"

/* ---- RFC examples ------------------------------------------------------------------------ */

static void
check_block (const char *name,
             GString    *wire,
             GPtrArray  *expected)
{
  g_autofree char *got = NULL;
  g_auto(GStrv) lines = NULL;

  if (wire->len == 0)
    return;

  got = parse_all_ways (NULL, 0, wire->str, wire->len);
  lines = g_strsplit (got, "\n", -1);
  for (guint i = 0; i < expected->len || lines[i] != NULL; i++)
    {
      const char *want = i < expected->len ? expected->pdata[i] : "(nothing)";
      const char *have = lines[i] != NULL ? lines[i] : "(nothing)";

      if (g_str_has_prefix (want, "ERROR ") && g_str_has_prefix (have, "ERROR "))
        {
          if (strstr (have, want + 6) == NULL)
            g_error ("%s: error \"%s\" does not contain \"%s\"", name, have, want + 6);
        }
      else if (g_strcmp0 (want, have) != 0)
        g_error ("%s: response %u:\n  expected: %s\n  got:      %s", name, i, want, have);
      if (lines[i] == NULL)
        break;
    }
}

static void
test_rfc (gconstpointer data)
{
  const char *file = data;
  g_autofree char *path = g_build_filename (HERON_IMAP_TEST_DATA, file, NULL);
  g_autofree char *contents = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) lines = NULL;
  g_autoptr(GString) wire = g_string_new (NULL);
  g_autoptr(GPtrArray) expected = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *block = g_strdup (file);
  guint n_blocks = 0, n_responses = 0;

  g_file_get_contents (path, &contents, NULL, &error);
  g_assert_no_error (error);
  lines = g_strsplit (contents, "\n", -1);

  for (guint i = 0; lines[i] != NULL; i++)
    {
      const char *line = lines[i];

      if (g_str_has_prefix (line, "# RFC"))
        {
          check_block (block, wire, expected);
          g_string_truncate (wire, 0);
          g_ptr_array_set_size (expected, 0);
          g_free (block);
          block = g_strdup (line + 2);
          n_blocks++;
        }
      else if (g_str_has_prefix (line, "S: ") || strcmp (line, "S:") == 0)
        {
          g_string_append (wire, line[2] == ' ' ? line + 3 : "");
          g_string_append (wire, "\r\n");
        }
      else if (g_str_has_prefix (line, "=> "))
        {
          g_ptr_array_add (expected, g_strdup (line + 3));
          n_responses++;
        }
      else
        g_assert_true (line[0] == '\0' || line[0] == '#');
    }
  check_block (block, wire, expected);
  g_test_message ("%s: %u examples, %u responses", file, n_blocks, n_responses);
  g_assert_cmpuint (n_responses, >, 10);
}

/* ---- status responses -------------------------------------------------------------------- */

static void
test_status_codes (void)
{
  g_autoptr(HeronImapResponse) r = NULL;

  r = parse_one ("A1 OK [APPENDUID 38505 3955] APPEND completed\r\n");
  g_assert_cmpint (r->kind, ==, HERON_IMAP_RESPONSE_STATUS);
  g_assert_cmpstr (r->tag, ==, "A1");
  g_assert_true (heron_imap_response_is_tagged (r, "A1"));
  g_assert_cmpint (r->status.condition, ==, HERON_IMAP_CONDITION_OK);
  g_assert_cmpint (r->status.code.kind, ==, HERON_IMAP_CODE_APPENDUID);
  g_assert_cmpuint (r->status.code.number, ==, 38505);
  g_assert_cmpuint (r->status.code.set1.n_ranges, ==, 1);
  g_assert_cmpuint (r->status.code.set1.ranges[0].first, ==, 3955);
  g_assert_cmpstr (r->status.text, ==, "APPEND completed");
  g_clear_pointer (&r, heron_imap_response_unref);

  /* COPYUID keeps wire order; a reversed range is normalised */
  r = parse_one ("A2 OK [COPYUID 38505 304,319:320,12:10 3956:3958,3960:3962] Done\r\n");
  g_assert_cmpint (r->status.code.kind, ==, HERON_IMAP_CODE_COPYUID);
  g_assert_cmpuint (r->status.code.set1.n_ranges, ==, 3);
  g_assert_cmpuint (r->status.code.set1.ranges[0].first, ==, 304);
  g_assert_cmpuint (r->status.code.set1.ranges[0].last, ==, 304);
  g_assert_cmpuint (r->status.code.set1.ranges[1].first, ==, 319);
  g_assert_cmpuint (r->status.code.set1.ranges[1].last, ==, 320);
  g_assert_cmpuint (r->status.code.set1.ranges[2].first, ==, 10);
  g_assert_cmpuint (r->status.code.set1.ranges[2].last, ==, 12);
  g_assert_cmpuint (r->status.code.set2.n_ranges, ==, 2);
  g_assert_cmpuint (r->status.code.set2.ranges[1].last, ==, 3962);
  g_clear_pointer (&r, heron_imap_response_unref);

  r = parse_one ("* OK [PERMANENTFLAGS (\\Answered \\Deleted $Forwarded \\*)] Limited\r\n");
  g_assert_null (r->tag);
  g_assert_cmpint (r->status.code.kind, ==, HERON_IMAP_CODE_PERMANENTFLAGS);
  g_assert_cmpuint (r->status.code.flags.n_names, ==, 4);
  g_assert_cmpuint (r->status.code.flags.system, ==,
                    HERON_IMAP_FLAG_ANSWERED | HERON_IMAP_FLAG_DELETED | HERON_IMAP_FLAG_ANY);
  g_assert_cmpstr (r->status.code.flags.names[2], ==, "$Forwarded");
  g_assert_null (r->status.code.flags.names[4]);
  g_assert_true (heron_imap_flags_contains (&r->status.code.flags, "$forwarded"));
  g_clear_pointer (&r, heron_imap_response_unref);

  r = parse_one ("* OK [HIGHESTMODSEQ 9223372036854775807] Highest\r\n");
  g_assert_cmpint (r->status.code.kind, ==, HERON_IMAP_CODE_HIGHESTMODSEQ);
  g_assert_cmpuint (r->status.code.modseq, ==, G_MAXINT64);
  g_clear_pointer (&r, heron_imap_response_unref);

  r = parse_one ("* OK [UNSEEN 12] first unseen\r\n");
  g_assert_cmpint (r->status.code.kind, ==, HERON_IMAP_CODE_UNSEEN);
  g_assert_cmpuint (r->status.code.number, ==, 12);
  g_clear_pointer (&r, heron_imap_response_unref);

  r = parse_one ("a OK [MODIFIED 7,9:11] Conditional STORE failed\r\n");
  g_assert_cmpint (r->status.code.kind, ==, HERON_IMAP_CODE_MODIFIED);
  g_assert_cmpuint (r->status.code.set1.n_ranges, ==, 2);
  g_assert_cmpuint (r->status.code.set1.ranges[1].last, ==, 11);
  g_clear_pointer (&r, heron_imap_response_unref);

  r = parse_one ("a NO [BADCHARSET (UTF-8 \"ISO-8859-1\")] no\r\n");
  g_assert_cmpint (r->status.code.kind, ==, HERON_IMAP_CODE_BADCHARSET);
  g_assert_cmpuint (r->status.code.strings.n_items, ==, 2);
  g_assert_cmpstr (r->status.code.strings.items[1], ==, "ISO-8859-1");
  g_clear_pointer (&r, heron_imap_response_unref);

  r = parse_one ("* OK [CAPABILITY IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE IDLE LITERAL+ "
                 "AUTH=PLAIN] Dovecot ready.\r\n");
  g_assert_cmpint (r->status.code.kind, ==, HERON_IMAP_CODE_CAPABILITY);
  g_assert_cmpuint (r->status.code.strings.n_items, ==, 8);
  g_assert_true (g_strv_contains ((const char * const *) r->status.code.strings.items, "AUTH=PLAIN"));
  g_clear_pointer (&r, heron_imap_response_unref);

  /* RFC 6154 USEATTR, RFC 4978 COMPRESSIONACTIVE, RFC 3516 UNKNOWN-CTE: argument-free codes */
  r = parse_one ("t1 NO [USEATTR] \\All not supported\r\n");
  g_assert_cmpint (r->status.code.kind, ==, HERON_IMAP_CODE_USEATTR);
  g_clear_pointer (&r, heron_imap_response_unref);
  r = parse_one ("c NO [COMPRESSIONACTIVE] DEFLATE active via TLS\r\n");
  g_assert_cmpint (r->status.code.kind, ==, HERON_IMAP_CODE_COMPRESSIONACTIVE);
  g_clear_pointer (&r, heron_imap_response_unref);
  r = parse_one ("b NO [UNKNOWN-CTE] cannot decode\r\n");
  g_assert_cmpint (r->status.code.kind, ==, HERON_IMAP_CODE_UNKNOWN_CTE);
  g_clear_pointer (&r, heron_imap_response_unref);

  /* an unknown code is kept as atom + raw text */
  r = parse_one ("* OK [X-VENDOR-THING some (odd) \"args\"] whatever\r\n");
  g_assert_cmpint (r->status.code.kind, ==, HERON_IMAP_CODE_OTHER);
  g_assert_cmpstr (r->status.code.name, ==, "X-VENDOR-THING");
  g_assert_cmpstr (r->status.code.raw, ==, "some (odd) \"args\"");
  g_assert_cmpstr (r->status.text, ==, "whatever");
  g_clear_pointer (&r, heron_imap_response_unref);

  r = parse_one ("* OK [READ-ONLY]\r\n");
  g_assert_cmpint (r->status.code.kind, ==, HERON_IMAP_CODE_READ_ONLY);
  g_assert_cmpstr (r->status.text, ==, "");
  g_clear_pointer (&r, heron_imap_response_unref);

  /* a "[" that never closes is text */
  r = parse_one ("* OK [not a code\r\n");
  g_assert_cmpint (r->status.code.kind, ==, HERON_IMAP_CODE_NONE);
  g_assert_cmpstr (r->status.text, ==, "[not a code");
  g_clear_pointer (&r, heron_imap_response_unref);

  /* bare condition, and lower case */
  r = parse_one ("a5 ok\r\n");
  g_assert_cmpint (r->status.condition, ==, HERON_IMAP_CONDITION_OK);
  g_assert_cmpstr (r->status.text, ==, "");
  g_clear_pointer (&r, heron_imap_response_unref);

  r = parse_one ("* BYE [ALERT] shutting down\r\n");
  g_assert_cmpint (r->status.condition, ==, HERON_IMAP_CONDITION_BYE);
  g_assert_cmpint (r->status.code.kind, ==, HERON_IMAP_CODE_ALERT);
  g_clear_pointer (&r, heron_imap_response_unref);

  r = parse_one ("* PREAUTH [CAPABILITY IMAP4rev2] logged in\r\n");
  g_assert_cmpint (r->status.condition, ==, HERON_IMAP_CONDITION_PREAUTH);
  g_clear_pointer (&r, heron_imap_response_unref);
}

static void
test_status_text_utf8 (void)
{
  g_autoptr(HeronImapResponse) r = NULL;

  /* human-readable text is always valid UTF-8: bad bytes become U+FFFD */
  r = parse_one ("* NO Fehler \xe4 beim \xc3\xb6" "ffnen {5}\r\n");
  g_assert_true (g_utf8_validate (r->status.text, -1, NULL));
  g_assert_cmpstr (r->status.text, ==, "Fehler \xef\xbf\xbd beim \xc3\xb6" "ffnen {5}");
}

static void
test_status_bad_codes (void)
{
  g_autoptr(GError) e1 = parse_error ("* OK [UIDVALIDITY 4294967296] x\r\n");
  g_autoptr(GError) e2 = parse_error ("* OK [UIDNEXT abc] x\r\n");
  g_autoptr(GError) e3 = parse_error ("* OK [HIGHESTMODSEQ 18446744073709551616] x\r\n");
  g_autoptr(GError) e4 = parse_error ("a OK [COPYUID 1 2:*] x\r\n");
  g_autoptr(GError) e5 = parse_error ("a OK [APPENDUID 1 0] x\r\n");
  g_autoptr(GError) e6 = parse_error ("A1 BYE no\r\n");
  g_autoptr(GError) e7 = parse_error ("A1 HELLO\r\n");

  assert_error_contains (e1, HERON_IMAP_ERROR_PARSE, "4294967296");
  assert_error_contains (e2, HERON_IMAP_ERROR_PARSE, "UIDNEXT");
  assert_error_contains (e3, HERON_IMAP_ERROR_PARSE, "HIGHESTMODSEQ");
  assert_error_contains (e4, HERON_IMAP_ERROR_PARSE, "COPYUID");
  assert_error_contains (e5, HERON_IMAP_ERROR_PARSE, "APPENDUID");
  assert_error_contains (e6, HERON_IMAP_ERROR_PARSE, "A1");
  assert_error_contains (e7, HERON_IMAP_ERROR_PARSE, "HELLO");
}

static void
test_unknown_tag (void)
{
  g_autoptr(HeronImapResponse) r = NULL;

  /* a tagged reply for a tag nobody sent is the connection layer's to reject: the parser
   * reports it cleanly with its tag */
  r = parse_one ("Z999 OK [READ-WRITE] whatever\r\n");
  g_assert_cmpint (r->kind, ==, HERON_IMAP_RESPONSE_STATUS);
  g_assert_cmpstr (r->tag, ==, "Z999");
  g_assert_true (heron_imap_response_is_tagged (r, "Z999"));
  g_assert_false (heron_imap_response_is_tagged (r, "A001"));
}

static void
test_continuation (void)
{
  g_autofree char *got = parse1 ("+\r\n+ \r\n+ Ready for literal data\r\n+ dGVzdA==\r\n");

  g_assert_cmpstr (got, ==,
                   "+ \"\"\n"
                   "+ \"\"\n"
                   "+ \"Ready for literal data\"\n"
                   "+ \"dGVzdA==\"");
}

/* ---- mailbox data ------------------------------------------------------------------------ */

static void
test_capability_enabled (void)
{
  g_autoptr(HeronImapResponse) r = parse_one ("* CAPABILITY IMAP4rev1 IMAP4rev2 AUTH=PLAIN "
                                              "UTF8=ACCEPT\r\n");

  g_assert_cmpint (r->kind, ==, HERON_IMAP_RESPONSE_CAPABILITY);
  g_assert_cmpuint (r->capability.n_items, ==, 4);
  g_assert_cmpstr (r->capability.items[3], ==, "UTF8=ACCEPT");
  g_assert_null (r->capability.items[4]);
}

static void
test_enabled_switches_utf8 (void)
{
  /* before ENABLED, "&ZeVnLIqe-" is modified UTF-7; after "ENABLED UTF8=ACCEPT" names are UTF-8
   * and an "&" is just an "&" */
  g_autofree char *got = parse1 ("* LIST () \"/\" \"&ZeVnLIqe-\"\r\n"
                                 "* ENABLED UTF8=ACCEPT\r\n"
                                 "* LIST () \"/\" \"\xe6\x97\xa5\xe6\x9c\xac\"\r\n"
                                 "* LIST () \"/\" \"R&D\"\r\n");

  g_assert_cmpstr (got, ==,
                   "LIST () \"/\" \"\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e\"=raw:\"&ZeVnLIqe-\"\n"
                   "ENABLED (UTF8=ACCEPT)\n"
                   "LIST () \"/\" \"\xe6\x97\xa5\xe6\x9c\xac\"\n"
                   "LIST () \"/\" \"R&D\"");
}

static void
test_list (void)
{
  g_autoptr(HeronImapResponse) r = NULL;

  r = parse_one ("* LIST (\\HasNoChildren \\Sent \\Subscribed) \"/\" \"Sent Items\"\r\n");
  g_assert_cmpint (r->kind, ==, HERON_IMAP_RESPONSE_LIST);
  g_assert_false (r->list.is_lsub);
  g_assert_cmpuint (r->list.attributes, ==, HERON_IMAP_MAILBOX_HAS_NO_CHILDREN |
                    HERON_IMAP_MAILBOX_SENT | HERON_IMAP_MAILBOX_SUBSCRIBED);
  g_assert_cmpuint (r->list.attribute_names.n_items, ==, 3);
  g_assert_cmpstr (r->list.delimiter, ==, "/");
  g_assert_cmpstr (r->list.mailbox.name, ==, "Sent Items");
  g_assert_cmpstr (r->list.mailbox.raw, ==, "Sent Items");
  g_clear_pointer (&r, heron_imap_response_unref);

  /* every special use, case-insensitively */
  r = parse_one ("* LIST (\\all \\ARCHIVE \\Drafts \\Flagged \\Junk \\Trash \\Important "
                 "\\Remote \\NonExistent \\Marked \\Unmarked \\HasChildren \\X-Odd) "
                 "\".\" x\r\n");
  g_assert_cmpuint (r->list.attributes, ==,
                    HERON_IMAP_MAILBOX_ALL | HERON_IMAP_MAILBOX_ARCHIVE | HERON_IMAP_MAILBOX_DRAFTS |
                    HERON_IMAP_MAILBOX_FLAGGED | HERON_IMAP_MAILBOX_JUNK | HERON_IMAP_MAILBOX_TRASH |
                    HERON_IMAP_MAILBOX_IMPORTANT | HERON_IMAP_MAILBOX_REMOTE |
                    HERON_IMAP_MAILBOX_NONEXISTENT | HERON_IMAP_MAILBOX_NOSELECT |
                    HERON_IMAP_MAILBOX_MARKED | HERON_IMAP_MAILBOX_UNMARKED |
                    HERON_IMAP_MAILBOX_HAS_CHILDREN);
  g_assert_cmpstr (r->list.attribute_names.items[12], ==, "\\X-Odd");
  g_clear_pointer (&r, heron_imap_response_unref);

  /* NIL delimiter, "\\" delimiter, inbox in any case, a literal name */
  r = parse_one ("* LSUB (\\Noinferiors) NIL iNbOx\r\n");
  g_assert_true (r->list.is_lsub);
  g_assert_null (r->list.delimiter);
  g_assert_cmpstr (r->list.mailbox.name, ==, "INBOX");
  g_assert_cmpstr (r->list.mailbox.raw, ==, "iNbOx");
  g_assert_true (r->list.attributes & HERON_IMAP_MAILBOX_HAS_NO_CHILDREN);
  g_clear_pointer (&r, heron_imap_response_unref);

  r = parse_one ("* LIST () \"\\\\\" {11}\r\nwith\"quote)\r\n");
  g_assert_cmpstr (r->list.delimiter, ==, "\\");
  g_assert_cmpstr (r->list.mailbox.name, ==, "with\"quote)");
  g_clear_pointer (&r, heron_imap_response_unref);

  /* a name that is not valid modified UTF-7 keeps its raw form and has no name */
  r = parse_one ("* LIST () \"/\" \"bad&name\"\r\n");
  g_assert_null (r->list.mailbox.name);
  g_assert_cmpstr (r->list.mailbox.raw, ==, "bad&name");
  g_clear_pointer (&r, heron_imap_response_unref);

  /* RFC 3501 section 5.1.3 */
  r = parse_one ("* LIST () \"/\" ~peter/mail/&U,BTFw-/&ZeVnLIqe-\r\n");
  g_assert_cmpstr (r->list.mailbox.name, ==,
                   "~peter/mail/\xe5\x8f\xb0\xe5\x8c\x97/\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e");
  g_clear_pointer (&r, heron_imap_response_unref);

  /* extended data: CHILDINFO, OLDNAME (decoded), and an unknown item kept raw */
  r = parse_one ("* LIST (\\Subscribed) \"/\" Foo (\"CHILDINFO\" (\"SUBSCRIBED\" \"X\") "
                 "OLDNAME (\"&ZeVnLIqe-\") vendor.x-thing (1 (2 \"three\")))\r\n");
  g_assert_cmpuint (r->list.childinfo.n_items, ==, 2);
  g_assert_cmpstr (r->list.childinfo.items[0], ==, "SUBSCRIBED");
  g_assert_cmpstr (r->list.oldname.raw, ==, "&ZeVnLIqe-");
  g_assert_cmpstr (r->list.oldname.name, ==, "\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e");
  g_assert_cmpuint (r->list.n_extended, ==, 1);
  g_assert_cmpstr (r->list.extended[0].tag, ==, "vendor.x-thing");
  g_assert_cmpstr (r->list.extended[0].raw, ==, "(1 (2 \"three\"))");
}

static void
test_list_utf8 (void)
{
  g_autoptr(HeronImapResponse) r = NULL;
  g_autoptr(GError) error = NULL;
  Run run;

  /* UTF-8 mode (RFC 6855 / 9051): names are UTF-8; invalid UTF-8 in a quoted string fails */
  r = parse_one_flags ("* LIST () \"/\" \"Entw\xc3\xbcrfe\"\r\n", HERON_IMAP_PARSER_FLAGS_UTF8);
  g_assert_cmpstr (r->list.mailbox.name, ==, "Entw\xc3\xbcrfe");

  run_init (&run);
  feed_wire (&run, NULL, HERON_IMAP_PARSER_FLAGS_IMAP4REV2, "* LIST () \"/\" \"Entw\xfcrfe\"\r\n",
             strlen ("* LIST () \"/\" \"Entw\xfcrfe\"\r\n"), SPLIT_WHOLE, 0, &error);
  run_clear (&run);
  assert_error_contains (error, HERON_IMAP_ERROR_PARSE, "UTF-8");
}

static void
test_mailbox_status (void)
{
  g_autoptr(HeronImapResponse) r = parse_one ("* STATUS \"Lists/heron\" (MESSAGES 231 UIDNEXT 44292 "
                                              "UIDVALIDITY 1700000000 UNSEEN 3 RECENT 1 DELETED 2 "
                                              "HIGHESTMODSEQ 7011231777 SIZE 99999999999 "
                                              "X-FUTURE (1 2) APPENDLIMIT 10)\r\n");
  const HeronImapMailboxStatus *s = &r->mailbox_status;

  g_assert_cmpint (r->kind, ==, HERON_IMAP_RESPONSE_MAILBOX_STATUS);
  g_assert_cmpstr (s->mailbox.name, ==, "Lists/heron");
  g_assert_cmpuint (s->items, ==, 0xff);
  g_assert_cmpuint (s->messages, ==, 231);
  g_assert_cmpuint (s->uidnext, ==, 44292);
  g_assert_cmpuint (s->uidvalidity, ==, 1700000000);
  g_assert_cmpuint (s->unseen, ==, 3);
  g_assert_cmpuint (s->recent, ==, 1);
  g_assert_cmpuint (s->deleted, ==, 2);
  g_assert_cmpuint (s->highestmodseq, ==, 7011231777);
  g_assert_cmpuint (s->size, ==, 99999999999);
}

static void
test_search (void)
{
  g_autoptr(HeronImapResponse) r = parse_one ("* SEARCH 2 5 4294967295 (MODSEQ 917162500)\r\n");
  g_autoptr(GError) e1 = parse_error ("* SEARCH 1 0\r\n");
  g_autoptr(GError) e2 = parse_error ("* SEARCH 1 4294967296\r\n");
  g_autoptr(GError) e3 = parse_error ("* SEARCH 1 (MODSEQ x)\r\n");

  g_assert_cmpint (r->kind, ==, HERON_IMAP_RESPONSE_SEARCH);
  g_assert_cmpuint (r->search.n_numbers, ==, 3);
  g_assert_cmpuint (r->search.numbers[2], ==, G_MAXUINT32);
  g_assert_true (r->search.has_modseq);
  g_assert_cmpuint (r->search.modseq, ==, 917162500);
  assert_error_contains (e1, HERON_IMAP_ERROR_PARSE, "\"0\"");
  assert_error_contains (e2, HERON_IMAP_ERROR_PARSE, "4294967296");
  assert_error_contains (e3, HERON_IMAP_ERROR_PARSE, "MODSEQ");
}

static void
test_search_bulk (void)
{
  /* 500,000 numbers make a 3.4 MB line: far past the line limit, which SEARCH is exempt from */
  g_autoptr(GString) wire = g_string_new ("* SEARCH");
  g_autoptr(GError) error = NULL;
  Run run;

  for (guint i = 1; i <= 500000; i++)
    g_string_append_printf (wire, " %u", i * 3);
  g_string_append (wire, "\r\n");
  g_assert_cmpuint (wire->len, >, 1024 * 1024);

  run_init (&run);
  feed_wire (&run, NULL, 0, wire->str, wire->len, SPLIT_RANDOM, 1, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (run.responses->len, ==, 1);
  {
    HeronImapResponse *r = run.responses->pdata[0];

    g_assert_cmpuint (r->search.n_numbers, ==, 500000);
    g_assert_cmpuint (r->search.numbers[499999], ==, 1500000);
  }
  run_clear (&run);
}

static void
test_esearch (void)
{
  g_autoptr(HeronImapResponse) r = NULL;

  r = parse_one ("* ESEARCH (TAG \"A285\") UID MIN 7 MAX 3800 COUNT 15 ALL 7,10:15,3800 "
                 "MODSEQ 1236 PARTIAL (1:10 7,10) RELEVANCY (1 2 3)\r\n");
  g_assert_cmpint (r->kind, ==, HERON_IMAP_RESPONSE_ESEARCH);
  g_assert_cmpstr (r->esearch.tag, ==, "A285");
  g_assert_true (r->esearch.uid);
  g_assert_cmpuint (r->esearch.items, ==, HERON_IMAP_ESEARCH_MIN | HERON_IMAP_ESEARCH_MAX |
                    HERON_IMAP_ESEARCH_COUNT | HERON_IMAP_ESEARCH_ALL | HERON_IMAP_ESEARCH_MODSEQ);
  g_assert_cmpuint (r->esearch.min, ==, 7);
  g_assert_cmpuint (r->esearch.max, ==, 3800);
  g_assert_cmpuint (r->esearch.count, ==, 15);
  g_assert_cmpuint (r->esearch.all.n_ranges, ==, 3);
  g_assert_cmpuint (r->esearch.all.ranges[1].first, ==, 10);
  g_assert_cmpuint (r->esearch.all.ranges[1].last, ==, 15);
  g_assert_cmpuint (r->esearch.modseq, ==, 1236);
  g_clear_pointer (&r, heron_imap_response_unref);

  /* no correlator, no results: ALL 1:4294967295 stays one range */
  r = parse_one ("* ESEARCH ALL 1:4294967295\r\n");
  g_assert_null (r->esearch.tag);
  g_assert_false (r->esearch.uid);
  g_assert_cmpuint (r->esearch.all.n_ranges, ==, 1);
  g_assert_cmpuint (r->esearch.all.ranges[0].last, ==, G_MAXUINT32);
}

static void
test_vanished (void)
{
  g_autoptr(HeronImapResponse) r = parse_one ("* VANISHED (EARLIER) 41,43:116,118\r\n");
  g_autoptr(GError) e1 = parse_error ("* VANISHED (LATER) 1\r\n");
  g_autoptr(GError) e2 = parse_error ("* VANISHED 1,,2\r\n");

  g_assert_cmpint (r->kind, ==, HERON_IMAP_RESPONSE_VANISHED);
  g_assert_true (r->vanished.earlier);
  g_assert_cmpuint (r->vanished.uids.n_ranges, ==, 3);
  g_assert_cmpuint (r->vanished.uids.ranges[1].first, ==, 43);
  g_assert_cmpuint (r->vanished.uids.ranges[1].last, ==, 116);
  assert_error_contains (e1, HERON_IMAP_ERROR_PARSE, "EARLIER");
  assert_error_contains (e2, HERON_IMAP_ERROR_PARSE, "1,,2");
}

static void
test_id (void)
{
  g_autoptr(HeronImapResponse) r = NULL;

  /* RFC 2971 section 3.2 */
  r = parse_one ("* ID (\"name\" \"Cyrus\" \"version\" \"1.5\" \"os\" \"sunos\" \"os-version\" "
                 "\"5.5\" \"support-url\" \"mailto:cyrus-bugs+@andrew.cmu.edu\" \"date\" NIL)\r\n");
  g_assert_cmpint (r->kind, ==, HERON_IMAP_RESPONSE_ID);
  g_assert_false (r->id.is_nil);
  g_assert_cmpuint (r->id.n_pairs, ==, 6);
  g_assert_cmpstr (r->id.pairs[0].name, ==, "name");
  g_assert_cmpstr (r->id.pairs[0].value, ==, "Cyrus");
  g_assert_cmpstr (r->id.pairs[4].value, ==, "mailto:cyrus-bugs+@andrew.cmu.edu");
  g_assert_null (r->id.pairs[5].value);
  g_clear_pointer (&r, heron_imap_response_unref);

  r = parse_one ("* ID NIL\r\n");
  g_assert_true (r->id.is_nil);
  g_assert_cmpuint (r->id.n_pairs, ==, 0);
}

static void
test_namespace (void)
{
  /* RFC 2342 section 5 example 5.6 */
  g_autoptr(HeronImapResponse) r = parse_one ("* NAMESPACE ((\"\" \"/\")(\"#mh/\" \"/\" \"X-PARAM\" "
                                              "(\"FLAG1\" \"FLAG2\"))) ((\"~\" \"/\")) "
                                              "((\"#shared/\" \"/\")(\"#public/\" \"/\")"
                                              "(\"#news.\" \".\")(\"#flat\" NIL))\r\n");
  const HeronImapNamespace *ns = &r->namespace_;

  g_assert_cmpint (r->kind, ==, HERON_IMAP_RESPONSE_NAMESPACE);
  g_assert_cmpuint (ns->personal.n_entries, ==, 2);
  g_assert_cmpstr (ns->personal.entries[0].prefix.name, ==, "");
  g_assert_cmpstr (ns->personal.entries[0].delimiter, ==, "/");
  g_assert_cmpuint (ns->personal.entries[1].n_extensions, ==, 1);
  g_assert_cmpstr (ns->personal.entries[1].extensions[0].name, ==, "X-PARAM");
  g_assert_cmpuint (ns->personal.entries[1].extensions[0].values.n_items, ==, 2);
  g_assert_cmpstr (ns->other.entries[0].prefix.raw, ==, "~");
  g_assert_cmpuint (ns->shared.n_entries, ==, 4);
  g_assert_cmpstr (ns->shared.entries[2].delimiter, ==, ".");
  g_assert_null (ns->shared.entries[3].delimiter);
}

static void
test_quota (void)
{
  g_autoptr(HeronImapResponse) r = NULL;
  g_autofree char *got = NULL;

  /* RFC 9208 section 4.2 / RFC 2087 section 5 */
  got = parse1 ("* QUOTAROOT INBOX \"\"\r\n"
                "* QUOTA \"\" (STORAGE 10 512)\r\n"
                "* QUOTAROOT comp.mail.mime\r\n"
                "* QUOTA \"!partition/sda4\" (STORAGE 104 10923847 MESSAGE 3 1000)\r\n");
  g_assert_cmpstr (got, ==,
                   "QUOTAROOT \"INBOX\" (\"\")\n"
                   "QUOTA \"\" (STORAGE 10 512)\n"
                   "QUOTAROOT \"comp.mail.mime\" ()\n"
                   "QUOTA \"!partition/sda4\" (STORAGE 104 10923847 MESSAGE 3 1000)");

  r = parse_one ("* QUOTA \"\" (STORAGE 9223372036854775807 1)\r\n");
  g_assert_cmpuint (r->quota.n_resources, ==, 1);
  g_assert_cmpstr (r->quota.resources[0].name, ==, "STORAGE");
  g_assert_cmpuint (r->quota.resources[0].usage, ==, G_MAXINT64);
}

static void
test_unknown_response (void)
{
  g_autofree char *got = parse1 ("* XAPPLEPUSHSERVICE aps-version 2 {4}\r\nab c\r\n"
                                 "* 3 XTHING (1 2)\r\n"
                                 "* METADATA \"\" (/shared/comment \"Shared comment\")\r\n");

  g_assert_cmpstr (got, ==,
                   "UNKNOWN XAPPLEPUSHSERVICE \"aps-version 2 {4}ab c\"\n"
                   "UNKNOWN 3 XTHING \"(1 2)\"\n"
                   "UNKNOWN METADATA \"\\\"\\\" (/shared/comment \\\"Shared comment\\\")\"");
}

/* ---- FETCH ------------------------------------------------------------------------------- */

static void
test_fetch_envelope (void)
{
  g_autoptr(HeronImapResponse) r = parse_one (
    "* 7 FETCH (UID 42 ENVELOPE (\"Tue, 14 Nov 2023 10:00:00 +0100\" {22}\r\n"
    "=?UTF-8?B?w6RiYw==?= x ((\"Ann \\\"A\\\" Lee\" NIL \"ann\" \"example.org\")) "
    "NIL NIL ((NIL NIL \"undisclosed\" NIL)(NIL NIL NIL NIL)(\"Bob\" \"@relay:\" \"bob\" "
    "\"example.net\")) ((\"\" NIL \"c\" \"d\")) NIL \"<a@b>\" \"<id@example.org>\"))\r\n");
  const HeronImapEnvelope *env;

  g_assert_cmpint (r->kind, ==, HERON_IMAP_RESPONSE_FETCH);
  g_assert_cmpuint (r->fetch.seq, ==, 7);
  g_assert_cmpuint (r->fetch.uid, ==, 42);
  g_assert_cmpuint (r->fetch.fields, ==, HERON_IMAP_FETCH_UID | HERON_IMAP_FETCH_ENVELOPE);
  env = r->fetch.envelope;
  g_assert_cmpstr (env->date, ==, "Tue, 14 Nov 2023 10:00:00 +0100");
  g_assert_cmpstr (env->subject, ==, "=?UTF-8?B?w6RiYw==?= x");
  g_assert_cmpuint (env->from.n_addresses, ==, 1);
  g_assert_cmpstr (env->from.addresses[0].name, ==, "Ann \"A\" Lee");
  g_assert_cmpstr (env->from.addresses[0].mailbox, ==, "ann");
  g_assert_cmpstr (env->from.addresses[0].host, ==, "example.org");
  g_assert_cmpint (env->from.addresses[0].kind, ==, HERON_IMAP_ADDRESS_MAILBOX);
  g_assert_cmpuint (env->sender.n_addresses, ==, 0);
  g_assert_cmpuint (env->reply_to.n_addresses, ==, 0);
  /* group syntax: "undisclosed:;" then Bob */
  g_assert_cmpuint (env->to.n_addresses, ==, 3);
  g_assert_cmpint (env->to.addresses[0].kind, ==, HERON_IMAP_ADDRESS_GROUP_START);
  g_assert_cmpstr (env->to.addresses[0].mailbox, ==, "undisclosed");
  g_assert_cmpint (env->to.addresses[1].kind, ==, HERON_IMAP_ADDRESS_GROUP_END);
  g_assert_cmpint (env->to.addresses[2].kind, ==, HERON_IMAP_ADDRESS_MAILBOX);
  g_assert_cmpstr (env->to.addresses[2].adl, ==, "@relay:");
  g_assert_cmpstr (env->cc.addresses[0].name, ==, "");
  g_assert_cmpuint (env->bcc.n_addresses, ==, 0);
  g_assert_cmpstr (env->in_reply_to, ==, "<a@b>");
  g_assert_cmpstr (env->message_id, ==, "<id@example.org>");
}

static void
test_fetch_bodystructure_nested (void)
{
  /* multipart/mixed (multipart/alternative (text/plain, multipart/related (text/html, image)),
   * message/rfc822 (multipart/mixed (text/plain, application/pdf)), application/zip) in Dovecot's
   * style, with extension data everywhere */
  g_autoptr(HeronImapResponse) r = parse_one (
    "* 3 FETCH (BODYSTRUCTURE ("
    "((\"text\" \"plain\" (\"charset\" \"utf-8\") NIL NIL \"quoted-printable\" 120 4 NIL NIL NIL NIL)"
    "((\"text\" \"html\" (\"charset\" \"utf-8\") NIL NIL \"7bit\" 900 20 NIL NIL NIL NIL)"
    "(\"image\" \"png\" (\"name\" \"a.png\") \"<img1@x>\" \"logo\" \"base64\" 5000 NIL "
    "(\"inline\" (\"filename\" \"a.png\")) NIL NIL) \"related\" (\"boundary\" \"r1\" \"type\" "
    "\"text/html\") NIL NIL NIL)"
    " \"alternative\" (\"boundary\" \"a1\") NIL NIL NIL)"
    "(\"message\" \"rfc822\" NIL NIL NIL \"7bit\" 3000 (\"Mon, 1 Jan 2024 00:00:00 +0000\" "
    "\"inner\" ((NIL NIL \"x\" \"y.z\")) ((NIL NIL \"x\" \"y.z\")) ((NIL NIL \"x\" \"y.z\")) "
    "NIL NIL NIL NIL \"<inner@y.z>\") ((\"text\" \"plain\" (\"charset\" \"us-ascii\") NIL NIL "
    "\"7bit\" 10 1 NIL NIL NIL NIL)(\"application\" \"pdf\" (\"name\" \"r.pdf\") NIL NIL "
    "\"base64\" 2000 NIL (\"attachment\" (\"filename\" \"r.pdf\" \"size\" \"1400\")) NIL NIL) "
    "\"mixed\" (\"boundary\" \"m2\") NIL NIL NIL) 60 NIL NIL NIL NIL)"
    "(\"application\" \"zip\" NIL NIL NIL \"base64\" 4000 \"md5sum\" (\"attachment\" NIL) "
    "(\"en\" \"de\") \"http://x/y\" \"future\" (1 (2 3)))"
    " \"mixed\" (\"boundary\" \"m1\") (\"inline\" NIL) \"fr\" NIL))\r\n");
  const HeronImapBody *b = r->fetch.body;
  const HeronImapBody *alt, *rel, *msg, *inner, *zip;

  g_assert_true (r->fetch.fields & HERON_IMAP_FETCH_BODYSTRUCTURE);
  g_assert_cmpint (b->kind, ==, HERON_IMAP_BODY_MULTIPART);
  g_assert_cmpstr (b->type, ==, "MULTIPART");
  g_assert_cmpstr (b->subtype, ==, "mixed");
  g_assert_cmpuint (b->n_parts, ==, 3);
  g_assert_true (b->has_extension);
  g_assert_cmpuint (b->params.n_params, ==, 1);
  g_assert_cmpstr (b->params.params[0].value, ==, "m1");
  g_assert_cmpstr (b->disposition, ==, "inline");
  g_assert_cmpuint (b->disposition_params.n_params, ==, 0);
  g_assert_cmpuint (b->language.n_items, ==, 1);
  g_assert_cmpstr (b->language.items[0], ==, "fr");
  g_assert_null (b->location);

  alt = &b->parts[0];
  g_assert_cmpstr (alt->subtype, ==, "alternative");
  g_assert_cmpuint (alt->n_parts, ==, 2);
  g_assert_cmpint (alt->parts[0].kind, ==, HERON_IMAP_BODY_TEXT);
  g_assert_cmpstr (alt->parts[0].encoding, ==, "quoted-printable");
  g_assert_cmpuint (alt->parts[0].size, ==, 120);
  g_assert_cmpuint (alt->parts[0].lines, ==, 4);
  rel = &alt->parts[1];
  g_assert_cmpint (rel->kind, ==, HERON_IMAP_BODY_MULTIPART);
  g_assert_cmpstr (rel->subtype, ==, "related");
  g_assert_cmpuint (rel->params.n_params, ==, 2);
  g_assert_cmpstr (rel->params.params[1].name, ==, "type");
  g_assert_cmpint (rel->parts[1].kind, ==, HERON_IMAP_BODY_BASIC);
  g_assert_cmpstr (rel->parts[1].id, ==, "<img1@x>");
  g_assert_cmpstr (rel->parts[1].description, ==, "logo");
  g_assert_cmpstr (rel->parts[1].disposition, ==, "inline");
  g_assert_cmpstr (rel->parts[1].disposition_params.params[0].value, ==, "a.png");

  msg = &b->parts[1];
  g_assert_cmpint (msg->kind, ==, HERON_IMAP_BODY_MESSAGE);
  g_assert_cmpuint (msg->size, ==, 3000);
  g_assert_cmpuint (msg->lines, ==, 60);
  g_assert_cmpstr (msg->envelope->subject, ==, "inner");
  g_assert_cmpstr (msg->envelope->message_id, ==, "<inner@y.z>");
  inner = msg->message_body;
  g_assert_cmpint (inner->kind, ==, HERON_IMAP_BODY_MULTIPART);
  g_assert_cmpuint (inner->n_parts, ==, 2);
  g_assert_cmpstr (inner->parts[1].disposition, ==, "attachment");
  g_assert_cmpuint (inner->parts[1].disposition_params.n_params, ==, 2);
  g_assert_cmpstr (inner->parts[1].disposition_params.params[1].value, ==, "1400");

  zip = &b->parts[2];
  g_assert_cmpstr (zip->md5, ==, "md5sum");
  g_assert_cmpstr (zip->disposition, ==, "attachment");
  g_assert_cmpuint (zip->language.n_items, ==, 2);
  g_assert_cmpstr (zip->language.items[1], ==, "de");
  g_assert_cmpstr (zip->location, ==, "http://x/y");
}

static void
test_fetch_body_no_extension (void)
{
  g_autoptr(HeronImapResponse) r = parse_one (
    "* 1 FETCH (BODY ((\"TEXT\" \"PLAIN\" NIL NIL NIL \"7BIT\" 10 1)"
    "(\"MESSAGE\" \"GLOBAL\" NIL NIL NIL \"8BIT\" 5 (NIL \"s\" NIL NIL NIL NIL NIL NIL NIL NIL) "
    "(\"TEXT\" \"PLAIN\" NIL NIL NIL \"8BIT\" 3 1) 2) \"MIXED\"))\r\n");

  g_assert_cmpuint (r->fetch.fields, ==, HERON_IMAP_FETCH_BODY);
  g_assert_false (r->fetch.body->has_extension);
  g_assert_cmpint (r->fetch.body->parts[1].kind, ==, HERON_IMAP_BODY_MESSAGE);
  g_assert_cmpstr (r->fetch.body->parts[1].envelope->subject, ==, "s");
  g_assert_null (r->fetch.body->parts[1].envelope->date);
  g_assert_cmpuint (r->fetch.body->parts[1].message_body->size, ==, 3);
}

static void
test_fetch_internaldate (void)
{
  g_autoptr(HeronImapResponse) r = parse_one ("* 1 FETCH (INTERNALDATE \" 7-Feb-1994 21:52:25 -0800\" "
                                              "RFC822.SIZE 4286 MODSEQ (624140003))\r\n");
  g_autoptr(GDateTime) date = heron_imap_fetch_get_internaldate (&r->fetch);
  g_autoptr(GError) e1 = parse_error ("* 1 FETCH (INTERNALDATE \"31-Foo-1994 21:52:25 -0800\")\r\n");
  g_autoptr(GError) e2 = parse_error ("* 1 FETCH (INTERNALDATE \"7-Feb-1994 25:52:25 -0800\")\r\n");

  /* 1994-02-08 05:52:25 UTC */
  g_assert_cmpint (r->fetch.internaldate, ==, 760686745);
  g_assert_cmpint (r->fetch.internaldate_offset, ==, -8 * 3600);
  g_assert_cmpint (g_date_time_get_hour (date), ==, 21);
  g_assert_cmpint (g_date_time_get_utc_offset (date), ==, -8 * 3600 * G_TIME_SPAN_SECOND);
  g_assert_cmpuint (r->fetch.rfc822_size, ==, 4286);
  g_assert_cmpuint (r->fetch.modseq, ==, 624140003);
  assert_error_contains (e1, HERON_IMAP_ERROR_PARSE, "date-time");
  assert_error_contains (e2, HERON_IMAP_ERROR_PARSE, "date-time");
}

static void
test_fetch_flags (void)
{
  g_autoptr(HeronImapResponse) r = parse_one ("* 9 FETCH (FLAGS (\\seen \\ANSWERED \\Recent $Junk "
                                              "\\X-Ext Keyword))\r\n");

  g_assert_cmpuint (r->fetch.flags.n_names, ==, 6);
  g_assert_cmpuint (r->fetch.flags.system, ==,
                    HERON_IMAP_FLAG_SEEN | HERON_IMAP_FLAG_ANSWERED | HERON_IMAP_FLAG_RECENT);
  /* system flags are interned with their canonical spelling */
  g_assert_cmpstr (r->fetch.flags.names[0], ==, "\\Seen");
  g_assert_cmpstr (r->fetch.flags.names[1], ==, "\\Answered");
  g_assert_cmpstr (r->fetch.flags.names[4], ==, "\\X-Ext");
  g_assert_true (heron_imap_flags_contains (&r->fetch.flags, "keyword"));
}

static void
test_fetch_preview_objectid (void)
{
  g_autoptr(HeronImapResponse) r = parse_one ("* 1 FETCH (PREVIEW \"Preview text!\" EMAILID "
                                              "(M6d99ac3275bb4e) THREADID NIL UID 3)\r\n");
  g_autoptr(HeronImapResponse) r2 = parse_one ("* 2 FETCH (PREVIEW NIL THREADID (T64b478a75b7ea9))\r\n");

  g_assert_true (r->fetch.fields & HERON_IMAP_FETCH_PREVIEW);
  g_assert_cmpstr (r->fetch.preview, ==, "Preview text!");
  g_assert_cmpstr (r->fetch.email_id, ==, "M6d99ac3275bb4e");
  g_assert_true (r->fetch.fields & HERON_IMAP_FETCH_THREADID);
  g_assert_null (r->fetch.thread_id);
  g_assert_true (r2->fetch.fields & HERON_IMAP_FETCH_PREVIEW);
  g_assert_null (r2->fetch.preview);
  g_assert_cmpstr (r2->fetch.thread_id, ==, "T64b478a75b7ea9");
}

static void
test_fetch_unknown_items (void)
{
  /* Gmail's items and anything else unknown are skipped, even with lists and literals */
  g_autoptr(HeronImapResponse) r = parse_one ("* 4 FETCH (X-GM-THRID 1278455344230334865 "
                                              "X-GM-LABELS (\\Inbox \"Work stuff\" {3}\r\nabc) "
                                              "X-GM-MSGID 1278455344230334865 UID 4 "
                                              "X-SOMETHING[1] NIL SAVEDATE NIL FLAGS ())\r\n");

  g_assert_cmpuint (r->fetch.n_unknown, ==, 5);
  g_assert_cmpuint (r->fetch.uid, ==, 4);
  g_assert_cmpuint (r->fetch.flags.n_names, ==, 0);
  g_assert_cmpuint (r->fetch.fields, ==, HERON_IMAP_FETCH_UID | HERON_IMAP_FETCH_FLAGS);
}

static void
test_fetch_sections_collected (void)
{
  /* without a consumer, section content is collected into GBytes */
  g_autoptr(HeronImapResponse) r = parse_one ("* 12 FETCH (UID 99 BODY[HEADER.FIELDS (DATE FROM)] {9}\r\n"
                                              "Date: x\r\n BODY[1]<10> \"a\\\"b\\\\c\" "
                                              "BODY[2] NIL RFC822.TEXT {0}\r\n RFC822 {3}\r\nxyz"
                                              " RFC822.HEADER \"\")\r\n");
  const HeronImapBodySection *s;

  g_assert_cmpuint (r->fetch.n_sections, ==, 6);
  g_assert_true (r->fetch.fields & HERON_IMAP_FETCH_SECTIONS);

  s = heron_imap_fetch_find_section (&r->fetch, HERON_IMAP_SECTION_BODY,
                                     "header.fields (date from)");
  g_assert_nonnull (s);
  g_assert_cmpstr (s->section, ==, "HEADER.FIELDS (DATE FROM)");
  g_assert_cmpint (s->origin, ==, -1);
  g_assert_cmpuint (s->size, ==, 9);
  g_assert_cmpmem (g_bytes_get_data (s->data, NULL), g_bytes_get_size (s->data), "Date: x\r\n", 9);

  s = heron_imap_fetch_find_section (&r->fetch, HERON_IMAP_SECTION_BODY, "1");
  g_assert_cmpint (s->origin, ==, 10);
  g_assert_cmpmem (g_bytes_get_data (s->data, NULL), g_bytes_get_size (s->data), "a\"b\\c", 5);

  s = heron_imap_fetch_find_section (&r->fetch, HERON_IMAP_SECTION_BODY, "2");
  g_assert_true (s->is_nil);
  g_assert_null (s->data);

  s = heron_imap_fetch_find_section (&r->fetch, HERON_IMAP_SECTION_RFC822_TEXT, NULL);
  g_assert_cmpuint (g_bytes_get_size (s->data), ==, 0);
  s = heron_imap_fetch_find_section (&r->fetch, HERON_IMAP_SECTION_RFC822, "");
  g_assert_cmpmem (g_bytes_get_data (s->data, NULL), g_bytes_get_size (s->data), "xyz", 3);
  s = heron_imap_fetch_find_section (&r->fetch, HERON_IMAP_SECTION_RFC822_HEADER, "");
  g_assert_nonnull (s);
  g_assert_null (heron_imap_fetch_find_section (&r->fetch, HERON_IMAP_SECTION_BINARY, ""));
}

static void
test_fetch_sections_streamed (void)
{
  static const char wire[] = "* 12 FETCH (UID 99 BODY[]<0> {11}\r\nhello world BINARY[1.2] ~{4}\r\n"
                              "a\0b\0 BINARY.SIZE[1.2] 4 BODY[TEXT] \"q\")\r\n* 13 FETCH (RFC822 {2}\r\n"
                              "ok)\r\n";
  gsize len = sizeof wire - 1;

  for (SplitMode mode = SPLIT_WHOLE; mode <= SPLIT_RANDOM; mode++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GChecksum) expected = g_checksum_new (G_CHECKSUM_SHA256);
      Run run;

      run_init (&run);
      run.use_consumer = TRUE;
      feed_wire (&run, NULL, 0, wire, len, mode, 3, &error);
      g_assert_no_error (error);
      g_assert_cmpstr (run.events->str, ==,
                       "begin seq=12 uid=99 kind=0 section=[] origin=0 size=11;end 11;"
                       "begin seq=12 uid=99 kind=1 section=[1.2] origin=-1 size=4 literal8;end 15;"
                       "begin seq=12 uid=99 kind=0 section=[TEXT] origin=-1 size=1;end 16;"
                       "begin seq=13 uid=0 kind=2 section=[] origin=-1 size=2;end 18;");
      g_checksum_update (expected, (const guchar *) "hello worlda\0b\0qok", 18);
      g_assert_cmpstr (g_checksum_get_string (run.body_sum), ==, g_checksum_get_string (expected));
      g_assert_cmpuint (run.dumps->len, ==, 2);
      g_assert_cmpstr (run.dumps->pdata[0], ==,
                       "FETCH 12 UID=99 BODY[]<0>=11 BINARY[1.2]=~4 BODY[TEXT]=1 "
                       "BINARY.SIZE[1.2]=4");
      {
        HeronImapResponse *r = run.responses->pdata[0];

        g_assert_null (r->fetch.sections[0].data);
        g_assert_true (r->fetch.sections[1].literal8);
        g_assert_cmpuint (r->fetch.n_binary_sizes, ==, 1);
        g_assert_cmpstr (r->fetch.binary_sizes[0].section, ==, "1.2");
      }
      run_clear (&run);
    }
}

static void
test_fetch_bad_items (void)
{
  g_autoptr(GError) e1 = parse_error ("* 1 FETCH (UID 4294967296)\r\n");
  g_autoptr(GError) e2 = parse_error ("* 1 FETCH (MODSEQ (18446744073709551616))\r\n");
  g_autoptr(GError) e3 = parse_error ("* 1 FETCH (MODSEQ (9223372036854775808))\r\n");
  g_autoptr(GError) e4 = parse_error ("* 1 FETCH (UID)\r\n");
  g_autoptr(GError) e5 = parse_error ("* 1 FETCH (BODY[] (a))\r\n");
  g_autoptr(GError) e6 = parse_error ("* 1 FETCH (BODY[] abc)\r\n");
  g_autoptr(GError) e7 = parse_error ("* 1 FETCH (FLAGS (\\Seen \"x\"))\r\n");
  g_autoptr(GError) e8 = parse_error ("* 1 FETCH (UID 1) extra\r\n");
  g_autoptr(GError) e9 = parse_error ("* 0 FETCH (UID 1)\r\n");
  g_autoptr(GError) e10 = parse_error ("* FETCH (UID 1)\r\n");
  g_autoptr(GError) e11 = parse_error ("* 4294967296 FETCH (UID 1)\r\n");
  g_autoptr(GError) e12 = parse_error ("* 1 FETCH (UID 0)\r\n");
  g_autoptr(GError) e13 = parse_error ("* 1 FETCH (\"UID\" 1)\r\n");
  g_autoptr(GError) e14 = parse_error ("* 1 FETCH (BODYSTRUCTURE (\"TEXT\"))\r\n");

  assert_error_contains (e1, HERON_IMAP_ERROR_PARSE, "4294967296 does not fit in 32 bits");
  assert_error_contains (e2, HERON_IMAP_ERROR_PARSE, "18446744073709551616 does not fit");
  assert_error_contains (e3, HERON_IMAP_ERROR_PARSE, "does not fit in 63 bits");
  assert_error_contains (e4, HERON_IMAP_ERROR_PARSE, "without a value");
  assert_error_contains (e5, HERON_IMAP_ERROR_PARSE, "BODY[]");
  assert_error_contains (e6, HERON_IMAP_ERROR_PARSE, "neither a string nor NIL");
  assert_error_contains (e7, HERON_IMAP_ERROR_PARSE, "expected a flag");
  assert_error_contains (e8, HERON_IMAP_ERROR_PARSE, "after the FETCH item list");
  assert_error_contains (e9, HERON_IMAP_ERROR_PARSE, "message number 0");
  assert_error_contains (e10, HERON_IMAP_ERROR_PARSE, "without a message number");
  assert_error_contains (e11, HERON_IMAP_ERROR_PARSE, "4294967296");
  assert_error_contains (e12, HERON_IMAP_ERROR_PARSE, "UID 0");
  assert_error_contains (e13, HERON_IMAP_ERROR_PARSE, "item name");
  assert_error_contains (e14, HERON_IMAP_ERROR_PARSE, "BODYSTRUCTURE");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_data_func ("/heron/imap/parser/rfc/3501", "rfc3501.txt", test_rfc);
  g_test_add_data_func ("/heron/imap/parser/rfc/9051", "rfc9051.txt", test_rfc);
  g_test_add_data_func ("/heron/imap/parser/rfc/7162", "rfc7162.txt", test_rfc);
  g_test_add_data_func ("/heron/imap/parser/rfc/2177", "rfc2177.txt", test_rfc);

  g_test_add_func ("/heron/imap/parser/status/codes", test_status_codes);
  g_test_add_func ("/heron/imap/parser/status/text-utf8", test_status_text_utf8);
  g_test_add_func ("/heron/imap/parser/status/bad-codes", test_status_bad_codes);
  g_test_add_func ("/heron/imap/parser/status/unknown-tag", test_unknown_tag);
  g_test_add_func ("/heron/imap/parser/continuation", test_continuation);

  g_test_add_func ("/heron/imap/parser/capability", test_capability_enabled);
  g_test_add_func ("/heron/imap/parser/enabled/utf8-accept", test_enabled_switches_utf8);
  g_test_add_func ("/heron/imap/parser/list/attributes-names-extended", test_list);
  g_test_add_func ("/heron/imap/parser/list/utf8", test_list_utf8);
  g_test_add_func ("/heron/imap/parser/status-response/items", test_mailbox_status);
  g_test_add_func ("/heron/imap/parser/search/modseq", test_search);
  g_test_add_func ("/heron/imap/parser/search/bulk-line", test_search_bulk);
  g_test_add_func ("/heron/imap/parser/esearch", test_esearch);
  g_test_add_func ("/heron/imap/parser/vanished", test_vanished);
  g_test_add_func ("/heron/imap/parser/id", test_id);
  g_test_add_func ("/heron/imap/parser/namespace", test_namespace);
  g_test_add_func ("/heron/imap/parser/quota", test_quota);
  g_test_add_func ("/heron/imap/parser/unknown-response", test_unknown_response);

  g_test_add_func ("/heron/imap/parser/fetch/envelope", test_fetch_envelope);
  g_test_add_func ("/heron/imap/parser/fetch/bodystructure-nested", test_fetch_bodystructure_nested);
  g_test_add_func ("/heron/imap/parser/fetch/body-no-extension", test_fetch_body_no_extension);
  g_test_add_func ("/heron/imap/parser/fetch/internaldate", test_fetch_internaldate);
  g_test_add_func ("/heron/imap/parser/fetch/flags", test_fetch_flags);
  g_test_add_func ("/heron/imap/parser/fetch/preview-objectid", test_fetch_preview_objectid);
  g_test_add_func ("/heron/imap/parser/fetch/unknown-items", test_fetch_unknown_items);
  g_test_add_func ("/heron/imap/parser/fetch/sections-collected", test_fetch_sections_collected);
  g_test_add_func ("/heron/imap/parser/fetch/sections-streamed", test_fetch_sections_streamed);
  g_test_add_func ("/heron/imap/parser/fetch/bad-items", test_fetch_bad_items);


  return g_test_run ();
}
