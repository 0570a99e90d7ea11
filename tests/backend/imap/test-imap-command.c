/* test-imap-command.c: the IMAP command builder
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The client lines of the RFC examples are reproduced byte for byte. Where an example writes an
 * argument in a longer form than the builder chooses (a quoted string where an atom would do, a
 * set out of order), it is built from the generic argument functions, which is what a caller
 * needing that form would do; the test says so.
 */

#include "config.h"

#include <stdio.h>
#include <string.h>

#include "imap/heron-imap-command.h"
#include "imap/heron-imap-error.h"

#define SYNC HERON_IMAP_LITERAL_SYNC
#define PLUS HERON_IMAP_LITERAL_PLUS
#define MINUS HERON_IMAP_LITERAL_MINUS
#define UTF8 HERON_IMAP_COMMAND_UTF8_ACCEPT
#define SASL_IR HERON_IMAP_COMMAND_SASL_IR

/* Helpers */

static GBytes *
serialize (HeronImapCommand     *cmd,
           HeronImapLiteralMode  mode)
{
  g_autoptr(GError) error = NULL;
  GBytes *bytes = heron_imap_command_serialize_all (cmd, mode, &error);

  g_assert_no_error (error);
  g_assert_nonnull (bytes);

  return bytes;
}

static void
assert_bytes (GBytes     *bytes,
              const char *expected,
              gsize       expected_len)
{
  gsize size;
  const char *data = g_bytes_get_data (bytes, &size);

  if (size != expected_len || (size > 0 && memcmp (data, expected, size) != 0))
    {
      g_autofree char *raw = g_strndup (data, size);
      g_autofree char *got = g_strescape (raw, NULL);
      g_autofree char *want = g_strescape (expected, NULL);

      g_error ("wire mismatch:\n  got:  %s\n  want: %s", got, want);
    }
}

/* Takes cmd, tags it (if tag is not NULL), and compares what goes on the wire. */
static void
check_mode (HeronImapCommand     *cmd,
            const char           *tag,
            HeronImapLiteralMode  mode,
            const char           *expected)
{
  g_autoptr(GBytes) bytes = NULL;

  g_assert_nonnull (cmd);
  if (tag != NULL)
    heron_imap_command_set_tag (cmd, tag);
  bytes = serialize (cmd, mode);
  assert_bytes (bytes, expected, strlen (expected));
  heron_imap_command_unref (cmd);
}

static void
check (HeronImapCommand *cmd,
       const char       *tag,
       const char       *expected)
{
  check_mode (cmd, tag, SYNC, expected);
}

static HeronImapCommand *
ok (HeronImapCommand *cmd,
    GError          **error)
{
  g_assert_no_error (*error);
  g_assert_nonnull (cmd);

  return cmd;
}

#define OK(call) ok ((call), &error)

static void
expect_error (HeronImapCommand *cmd,
              GError          **error,
              int               code)
{
  g_assert_null (cmd);
  g_assert_error (*error, HERON_IMAP_ERROR, code);
  g_clear_error (error);
}

/* Sets that live until the end of the test. */
static const HeronImapUidSet *
set_of (const char       *text,
        HeronImapSetKind  kind)
{
  g_autoptr(GError) error = NULL;
  HeronImapUidSet *set = heron_imap_uid_set_parse (text, kind, &error);

  g_assert_no_error (error);
  g_test_queue_destroy ((GDestroyNotify) heron_imap_uid_set_free, set);

  return set;
}

#define U(text) set_of ((text), HERON_IMAP_SET_UID)
#define S(text) set_of ((text), HERON_IMAP_SET_SEQUENCE)

static GDateTime *
date (int year,
      int month,
      int day)
{
  GDateTime *dt = g_date_time_new_utc (year, month, day, 0, 0, 0);

  g_test_queue_destroy ((GDestroyNotify) g_date_time_unref, dt);

  return dt;
}

/* Search criteria from "KEY|KEY|..." where "\"text" is a string, "@YYYY-MM-DD" a date and
 * anything else goes as it is. */
static HeronImapCommand *
criteria (HeronImapCommandFlags  flags,
          const char            *spec)
{
  g_auto(GStrv) tokens = g_strsplit (spec, "|", -1);
  HeronImapCommand *fragment = heron_imap_command_new_fragment (flags);

  for (guint i = 0; tokens[i] != NULL; i++)
    {
      const char *token = tokens[i];

      if (token[0] == '"')
        heron_imap_command_add_string (fragment, token + 1);
      else if (token[0] == '@')
        {
          int y, m, d;

          g_assert_cmpint (sscanf (token + 1, "%d-%d-%d", &y, &m, &d), ==, 3);
          heron_imap_command_add_date (fragment, date (y, m, d));
        }
      else
        heron_imap_command_add_raw (fragment, token);
    }

  g_test_queue_destroy ((GDestroyNotify) heron_imap_command_unref, fragment);

  return fragment;
}

static HeronImapCommand *
search (HeronImapCommandFlags  flags,
        gboolean               uid,
        const char * const    *return_options,
        const char            *charset,
        const char            *spec)
{
  g_autoptr(GError) error = NULL;
  HeronImapCommand *cmd = heron_imap_command_new_search (flags, uid, return_options, charset,
                                                         criteria (flags, spec), &error);

  g_assert_no_error (error);

  return cmd;
}

#define STRV(...) ((const char * const []) { __VA_ARGS__, NULL })
#define NO_MODSEQ HERON_IMAP_MODSEQ_NONE

static gboolean
contains_bytes (GBytes     *haystack,
                const void *needle,
                gsize       needle_len)
{
  gsize size;
  const guchar *data = g_bytes_get_data (haystack, &size);

  for (gsize i = 0; needle_len <= size && i <= size - needle_len; i++)
    if (memcmp (data + i, needle, needle_len) == 0)
      return TRUE;

  return FALSE;
}

static GPtrArray *
segments (HeronImapCommand     *cmd,
          HeronImapLiteralMode  mode)
{
  g_autoptr(GError) error = NULL;
  GPtrArray *result = heron_imap_command_get_segments (cmd, mode, &error);

  g_assert_no_error (error);
  g_assert_nonnull (result);

  return result;
}

static void
assert_segment (GPtrArray            *list,
                guint                 index,
                HeronImapSegmentKind  kind,
                const char           *text)
{
  const HeronImapSegment *segment;

  g_assert_cmpuint (index, <, list->len);
  segment = g_ptr_array_index (list, index);
  g_assert_cmpint (segment->kind, ==, kind);
  if (text != NULL)
    {
      g_assert_nonnull (segment->bytes);
      assert_bytes (segment->bytes, text, strlen (text));
      g_assert_cmpuint (segment->size, ==, strlen (text));
    }
}

/* RFC 3501 section 6.2.2 example: the base64 lines as the client sends them, without the
 * editorial line breaks. */
static const char gssapi_response_1[] =
  "YIIB+wYJKoZIhvcSAQICAQBuggHqMIIB5qADAgEFoQMCAQ6iBw"
  "MFACAAAACjggEmYYIBIjCCAR6gAwIBBaESGxB1Lndhc2hpbmd0"
  "b24uZWR1oi0wK6ADAgEDoSQwIhsEaW1hcBsac2hpdmFtcy5jYW"
  "Mud2FzaGluZ3Rvbi5lZHWjgdMwgdCgAwIBAaEDAgEDooHDBIHA"
  "cS1GSa5b+fXnPZNmXB9SjL8Ollj2SKyb+3S0iXMljen/jNkpJX"
  "AleKTz6BQPzj8duz8EtoOuNfKgweViyn/9B9bccy1uuAE2HI0y"
  "C/PHXNNU9ZrBziJ8Lm0tTNc98kUpjXnHZhsMcz5Mx2GR6dGknb"
  "I0iaGcRerMUsWOuBmKKKRmVMMdR9T3EZdpqsBd7jZCNMWotjhi"
  "vd5zovQlFqQ2Wjc2+y46vKP/iXxWIuQJuDiisyXF0Y8+5GTpAL"
  "pHDc1/pIGmMIGjoAMCAQGigZsEgZg2on5mSuxoDHEA1w9bcW9n"
  "FdFxDKpdrQhVGVRDIzcCMCTzvUboqb5KjY1NJKJsfjRQiBYBdE"
  "NKfzK+g5DlV8nrw81uOcP8NOQCLR5XkoMHC0Dr/80ziQzbNqhx"
  "O6652Npft0LQwJvenwDI13YxpwOdMXzkWZN/XrEqOWp6GCgXTB"
  "vCyLWLlWnbaUkZdEYbKHBPjd8t/1x5Yg==";
static const char gssapi_response_2[] =
  "YDMGCSqGSIb3EgECAgIBAAD/////3LQBHXTpFfZgrejpLlLImP"
  "wkhbfa2QteAQAgAG1yYwE=";

/* The client's answer to a challenge, from its raw bytes: decode the RFC's base64, hand the
 * bytes to the builder, expect the same line back. */
static void
check_sasl_response (const char *base64)
{
  g_autoptr(GBytes) raw = NULL;
  g_autofree char *line = g_strconcat (base64, "\r\n", NULL);
  guchar *decoded;
  gsize len = 0;

  decoded = g_base64_decode (base64, &len);
  raw = g_bytes_new_take (decoded, len);
  check (heron_imap_command_new_sasl_response (*base64 != '\0' ? raw : NULL), NULL, line);
}

static void
check_gssapi_exchange (void)
{
  g_autoptr(GError) error = NULL;

  check (OK (heron_imap_command_new_authenticate (0, "GSSAPI", NULL, &error)), "A001",
         "A001 AUTHENTICATE GSSAPI\r\n");
  check_sasl_response (gssapi_response_1);
  check_sasl_response ("");
  check_sasl_response (gssapi_response_2);
}

/* The message of the APPEND examples: RFC 3501 section 6.3.11 ... */
static const char message_3501[] =
  "Date: Mon, 7 Feb 1994 21:52:25 -0800 (PST)\r\n"
  "From: Fred Foobar <foobar@Blurdybloop.COM>\r\n"
  "Subject: afternoon meeting\r\n"
  "To: mooch@owatagu.siam.edu\r\n"
  "Message-Id: <B27397-0100000@Blurdybloop.COM>\r\n"
  "MIME-Version: 1.0\r\n"
  "Content-Type: TEXT/PLAIN; CHARSET=US-ASCII\r\n"
  "\r\n"
  "Hello Joe, do you think we can meet at 3:30 tomorrow?\r\n";

/* ... RFC 9051 section 6.3.12, first example ... */
static const char message_9051[] =
  "Date: Mon, 7 Feb 1994 21:52:25 -0800 (PST)\r\n"
  "From: Fred Foobar <foobar@Blurdybloop.example>\r\n"
  "Subject: afternoon meeting\r\n"
  "To: mooch@owatagu.siam.edu.example\r\n"
  "Message-Id: <B27397-0100000@Blurdybloop.example>\r\n"
  "MIME-Version: 1.0\r\n"
  "Content-Type: TEXT/PLAIN; CHARSET=US-ASCII\r\n"
  "\r\n"
  "Hello Joe, do you think we can meet at 3:30 tomorrow?\r\n";

/* ... and RFC 9051 section 6.3.12, second example, RFC 4315 section 3. */
static const char message_example_com[] =
  "Date: Mon, 7 Feb 1994 21:52:25 -0800 (PST)\r\n"
  "From: Fred Foobar <foobar@example.com>\r\n"
  "Subject: afternoon meeting\r\n"
  "To: mooch@example.com\r\n"
  "Message-Id: <B27397-0100000@example.com>\r\n"
  "MIME-Version: 1.0\r\n"
  "Content-Type: TEXT/PLAIN; CHARSET=US-ASCII\r\n"
  "\r\n"
  "Hello Joe, do you think we can meet at 3:30 tomorrow?\r\n";

static HeronImapCommand *
append_example (const char *message)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = g_bytes_new_static (message, strlen (message));

  return OK (heron_imap_command_new_append (0, "saved-messages", STRV ("\\Seen"), NULL, bytes, HERON_IMAP_APPEND_FLAGS_NONE,
                                            &error));
}

/* RFC 3501 section 6: every client command example */

/* 6.1.1 - 6.1.3 */
static void
test_rfc3501_any_state (void)
{
  check (heron_imap_command_new_capability (), "abcd", "abcd CAPABILITY\r\n");
  check (heron_imap_command_new_starttls (), "efgh", "efgh STARTTLS\r\n");
  check (heron_imap_command_new_capability (), "ijkl", "ijkl CAPABILITY\r\n");
  check (heron_imap_command_new_noop (), "a002", "a002 NOOP\r\n");
  check (heron_imap_command_new_noop (), "a047", "a047 NOOP\r\n");
  check (heron_imap_command_new_logout (), "A023", "A023 LOGOUT\r\n");
}

/* 6.2.1 - 6.2.3 */
static void
test_rfc3501_not_authenticated (void)
{
  g_autoptr(GError) error = NULL;

  check (heron_imap_command_new_capability (), "a001", "a001 CAPABILITY\r\n");
  check (heron_imap_command_new_starttls (), "a002", "a002 STARTTLS\r\n");
  check (heron_imap_command_new_capability (), "a003", "a003 CAPABILITY\r\n");
  check (OK (heron_imap_command_new_login (0, "joe", "password", &error)), "a004",
         "a004 LOGIN joe password\r\n");

  check_gssapi_exchange ();

  check (OK (heron_imap_command_new_login (0, "SMITH", "SESAME", &error)), "a001",
         "a001 LOGIN SMITH SESAME\r\n");
}

static void
check_list (const char *tag,
            const char *reference,
            const char *pattern,
            const char *expected)
{
  g_autoptr(GError) error = NULL;

  check (OK (heron_imap_command_new_list (0, reference, STRV (pattern), 0, 0, NULL, &error)), tag,
         expected);
}

static void
check_mailbox_command (HeronImapCommand *(*constructor) (HeronImapCommandFlags, const char *, GError **),
                       const char        *mailbox,
                       const char        *tag,
                       const char        *expected)
{
  g_autoptr(GError) error = NULL;

  check (OK (constructor (0, mailbox, &error)), tag, expected);
}

static HeronImapCommand *
create (HeronImapCommandFlags   flags,
        const char             *mailbox,
        GError                **error)
{
  return heron_imap_command_new_create (flags, mailbox, NULL, error);
}

static HeronImapCommand *
select_plain (HeronImapCommandFlags   flags,
              const char             *mailbox,
              GError                **error)
{
  return heron_imap_command_new_select (flags, mailbox, NULL, error);
}

static HeronImapCommand *
examine_plain (HeronImapCommandFlags   flags,
               const char             *mailbox,
               GError                **error)
{
  return heron_imap_command_new_examine (flags, mailbox, NULL, error);
}

static void
check_rename (const char *tag,
              const char *from,
              const char *to,
              const char *expected)
{
  g_autoptr(GError) error = NULL;

  check (OK (heron_imap_command_new_rename (0, from, to, &error)), tag, expected);
}

/* 6.3.1 - 6.3.11 */
static void
test_rfc3501_authenticated (void)
{
  g_autoptr(GError) error = NULL;
  HeronImapCommand *cmd;

  /* 6.3.1, 6.3.2 */
  check_mailbox_command (select_plain, "INBOX", "A142", "A142 SELECT INBOX\r\n");
  check_mailbox_command (examine_plain, "blurdybloop", "A932", "A932 EXAMINE blurdybloop\r\n");

  /* 6.3.3 */
  check_mailbox_command (create, "owatagusiam/", "A003", "A003 CREATE owatagusiam/\r\n");
  check_mailbox_command (create, "owatagusiam/blurdybloop", "A004",
                         "A004 CREATE owatagusiam/blurdybloop\r\n");

  /* 6.3.4 */
  check_list ("A682", "", "*", "A682 LIST \"\" *\r\n");
  check_mailbox_command (heron_imap_command_new_delete, "blurdybloop", "A683", "A683 DELETE blurdybloop\r\n");
  check_mailbox_command (heron_imap_command_new_delete, "foo", "A684", "A684 DELETE foo\r\n");
  check_mailbox_command (heron_imap_command_new_delete, "foo/bar", "A685", "A685 DELETE foo/bar\r\n");
  check_list ("A686", "", "*", "A686 LIST \"\" *\r\n");
  check_mailbox_command (heron_imap_command_new_delete, "foo", "A687", "A687 DELETE foo\r\n");
  check_list ("A82", "", "*", "A82 LIST \"\" *\r\n");
  check_mailbox_command (heron_imap_command_new_delete, "blurdybloop", "A83", "A83 DELETE blurdybloop\r\n");
  check_mailbox_command (heron_imap_command_new_delete, "foo", "A84", "A84 DELETE foo\r\n");
  check_list ("A85", "", "*", "A85 LIST \"\" *\r\n");
  check_list ("A86", "", "%", "A86 LIST \"\" %\r\n");

  /* 6.3.5 */
  check_list ("A682", "", "*", "A682 LIST \"\" *\r\n");
  check_rename ("A683", "blurdybloop", "sarasoop", "A683 RENAME blurdybloop sarasoop\r\n");
  check_rename ("A684", "foo", "zowie", "A684 RENAME foo zowie\r\n");
  check_list ("A685", "", "*", "A685 LIST \"\" *\r\n");
  check_list ("Z432", "", "*", "Z432 LIST \"\" *\r\n");
  check_rename ("Z433", "INBOX", "old-mail", "Z433 RENAME INBOX old-mail\r\n");
  check_list ("Z434", "", "*", "Z434 LIST \"\" *\r\n");

  /* 6.3.6, 6.3.7 */
  check_mailbox_command (heron_imap_command_new_subscribe, "#news.comp.mail.mime", "A002",
                         "A002 SUBSCRIBE #news.comp.mail.mime\r\n");
  check_mailbox_command (heron_imap_command_new_unsubscribe, "#news.comp.mail.mime", "A002",
                         "A002 UNSUBSCRIBE #news.comp.mail.mime\r\n");

  /* 6.3.8 */
  check_list ("A101", "", "", "A101 LIST \"\" \"\"\r\n");
  check_list ("A102", "#news.comp.mail.misc", "", "A102 LIST #news.comp.mail.misc \"\"\r\n");
  check_list ("A103", "/usr/staff/jones", "", "A103 LIST /usr/staff/jones \"\"\r\n");
  check_list ("A202", "~/Mail/", "%", "A202 LIST ~/Mail/ %\r\n");

  /* 6.3.9: the example quotes arguments that could be atoms, so it takes strings. */
  cmd = heron_imap_command_new ("LSUB", 0);
  heron_imap_command_add_string (cmd, "#news.");
  heron_imap_command_add_string (cmd, "comp.mail.*");
  check (cmd, "A002", "A002 LSUB \"#news.\" \"comp.mail.*\"\r\n");
  cmd = heron_imap_command_new ("LSUB", 0);
  heron_imap_command_add_string (cmd, "#news.");
  heron_imap_command_add_string (cmd, "comp.%");
  check (cmd, "A003", "A003 LSUB \"#news.\" \"comp.%\"\r\n");
  /* The builder's own choice for the same. */
  check (OK (heron_imap_command_new_lsub (0, "#news.", "comp.mail.*", &error)), "A002",
         "A002 LSUB #news. comp.mail.*\r\n");

  /* 6.3.10 */
  check (OK (heron_imap_command_new_status (0, "blurdybloop", STRV ("UIDNEXT", "MESSAGES"), &error)),
         "A042", "A042 STATUS blurdybloop (UIDNEXT MESSAGES)\r\n");

  /* 6.3.11: a 310-octet synchronizing literal. */
  g_assert_cmpuint (strlen (message_3501), ==, 310);
  {
    g_autofree char *expected = g_strconcat ("A003 APPEND saved-messages (\\Seen) {310}\r\n",
                                             message_3501, "\r\n", NULL);

    check (append_example (message_3501), "A003", expected);
  }
}

static void
check_search_3501 (const char *tag,
                   const char *charset,
                   const char *spec,
                   const char *expected)
{
  check (search (0, FALSE, NULL, charset, spec), tag, expected);
}

/* 6.4.1 - 6.4.8 */
static void
test_rfc3501_selected (void)
{
  g_autoptr(GError) error = NULL;

  check (heron_imap_command_new_check (), "FXXZ", "FXXZ CHECK\r\n");
  check (heron_imap_command_new_close (), "A341", "A341 CLOSE\r\n");
  check (heron_imap_command_new_expunge (), "A202", "A202 EXPUNGE\r\n");

  /* 6.4.4. The third example stands "XXXXXX" for six octets of UTF-8: 日本 is six. */
  check_search_3501 ("A282", NULL, "FLAGGED|SINCE|@1994-02-01|NOT|FROM|\"Smith",
                     "A282 SEARCH FLAGGED SINCE 1-Feb-1994 NOT FROM \"Smith\"\r\n");
  check_search_3501 ("A283", NULL, "TEXT|\"string not in mailbox",
                     "A283 SEARCH TEXT \"string not in mailbox\"\r\n");
  check_search_3501 ("A284", "UTF-8", "TEXT|\"日本",
                     "A284 SEARCH CHARSET UTF-8 TEXT {6}\r\n日本\r\n");

  /* 6.4.5 - 6.4.7: sequence numbers. */
  check (OK (heron_imap_command_new_fetch (S ("2:4"), STRV ("FLAGS", "BODY[HEADER.FIELDS (DATE FROM)]"),
                                           NO_MODSEQ, FALSE, &error)),
         "A654", "A654 FETCH 2:4 (FLAGS BODY[HEADER.FIELDS (DATE FROM)])\r\n");
  check (OK (heron_imap_command_new_store (S ("2:4"), HERON_IMAP_STORE_ADD, FALSE, STRV ("\\Deleted"),
                                           NO_MODSEQ, &error)),
         "A003", "A003 STORE 2:4 +FLAGS (\\Deleted)\r\n");
  check (OK (heron_imap_command_new_copy (0, S ("2:4"), "MEETING", &error)), "A003",
         "A003 COPY 2:4 MEETING\r\n");

  /* 6.4.8 */
  check (OK (heron_imap_command_new_fetch (U ("4827313:4828442"), STRV ("FLAGS"), NO_MODSEQ, FALSE,
                                           &error)),
         "A999", "A999 UID FETCH 4827313:4828442 FLAGS\r\n");
}

/* 6.5.1 */
static void
test_rfc3501_experimental (void)
{
  check (heron_imap_command_new_capability (), "a441", "a441 CAPABILITY\r\n");
  check (heron_imap_command_new ("XPIG-LATIN", 0), "A442", "A442 XPIG-LATIN\r\n");
}

/* RFC 3501 section 7.5: literals for strings that could be quoted, forced by the caller. The
 * synchronizing literal waits for the continuation; the octets follow it. */
static void
test_rfc3501_literal_continuation (void)
{
  g_autoptr(HeronImapCommand) cmd = heron_imap_command_new ("LOGIN", 0);
  g_autoptr(GBytes) user = g_bytes_new_static ("FRED FOOBAR", 11);
  g_autoptr(GBytes) password = g_bytes_new_static ("fat man", 7);
  g_autoptr(GPtrArray) list = NULL;
  g_autoptr(GBytes) bytes = NULL;
  const char *expected = "A001 LOGIN {11}\r\nFRED FOOBAR {7}\r\nfat man\r\n";

  heron_imap_command_add_literal (cmd, user, 0);
  heron_imap_command_add_literal (cmd, password, 0);
  heron_imap_command_set_tag (cmd, "A001");

  bytes = serialize (cmd, SYNC);
  assert_bytes (bytes, expected, strlen (expected));

  list = segments (cmd, SYNC);
  g_assert_cmpuint (list->len, ==, 7);
  assert_segment (list, 0, HERON_IMAP_SEGMENT_TEXT, "A001 LOGIN {11}\r\n");
  assert_segment (list, 1, HERON_IMAP_SEGMENT_WAIT_CONTINUATION, NULL);
  assert_segment (list, 2, HERON_IMAP_SEGMENT_LITERAL, "FRED FOOBAR");
  assert_segment (list, 3, HERON_IMAP_SEGMENT_TEXT, " {7}\r\n");
  assert_segment (list, 4, HERON_IMAP_SEGMENT_WAIT_CONTINUATION, NULL);
  assert_segment (list, 5, HERON_IMAP_SEGMENT_LITERAL, "fat man");
  assert_segment (list, 6, HERON_IMAP_SEGMENT_TEXT, "\r\n");

  /* The same in RFC 7888 section 3, with LITERAL+: no waiting. */
  g_clear_pointer (&bytes, g_bytes_unref);
  g_clear_pointer (&list, g_ptr_array_unref);
  expected = "A001 LOGIN {11+}\r\nFRED FOOBAR {7+}\r\nfat man\r\n";
  bytes = serialize (cmd, PLUS);
  assert_bytes (bytes, expected, strlen (expected));
  list = segments (cmd, PLUS);
  g_assert_cmpuint (list->len, ==, 5);
  for (guint i = 0; i < list->len; i++)
    g_assert_cmpint (((HeronImapSegment *) g_ptr_array_index (list, i))->kind, !=,
                     HERON_IMAP_SEGMENT_WAIT_CONTINUATION);
}

/* RFC 9051 section 6: every client command example */

/* 6.1.1 - 6.1.3 */
static void
test_rfc9051_any_state (void)
{
  check (heron_imap_command_new_capability (), "abcd", "abcd CAPABILITY\r\n");
  check (heron_imap_command_new_starttls (), "efgh", "efgh STARTTLS\r\n");
  check (heron_imap_command_new_capability (), "ijkl", "ijkl CAPABILITY\r\n");
  check (heron_imap_command_new_noop (), "a002", "a002 NOOP\r\n");
  check (heron_imap_command_new_noop (), "a047", "a047 NOOP\r\n");
  check (heron_imap_command_new_logout (), "A023", "A023 LOGOUT\r\n");
}

static GBytes *
plain_response (void)
{
  /* dGVzdAB0ZXN0AHRlc3Q= */
  return g_bytes_new_static ("test\0test\0test", 14);
}

/* 6.2.1 - 6.2.3 */
static void
test_rfc9051_not_authenticated (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) plain = plain_response ();
  g_autoptr(GBytes) empty = g_bytes_new_static ("", 0);
  g_autoptr(HeronImapCommand) without_ir = NULL;
  g_autoptr(GPtrArray) list = NULL;

  /* 6.2.1 */
  check (heron_imap_command_new_capability (), "a001", "a001 CAPABILITY\r\n");
  check (heron_imap_command_new_starttls (), "a002", "a002 STARTTLS\r\n");
  check (heron_imap_command_new_capability (), "a003", "a003 CAPABILITY\r\n");
  check (OK (heron_imap_command_new_authenticate (SASL_IR, "PLAIN", plain, &error)), "a004",
         "a004 AUTHENTICATE PLAIN dGVzdAB0ZXN0AHRlc3Q=\r\n");

  /* 6.2.2 */
  check_gssapi_exchange ();
  check (heron_imap_command_new_starttls (), "A01", "A01 STARTTLS\r\n");
  check (heron_imap_command_new_capability (), "A02", "A02 CAPABILITY\r\n");
  check (OK (heron_imap_command_new_authenticate (SASL_IR, "PLAIN", plain, &error)), "A03",
         "A03 AUTHENTICATE PLAIN dGVzdAB0ZXN0AHRlc3Q=\r\n");
  check (heron_imap_command_new_capability (), "C01", "C01 CAPABILITY\r\n");

  /* Without SASL-IR the initial response waits for the server's "+". */
  without_ir = OK (heron_imap_command_new_authenticate (0, "PLAIN", plain, &error));
  heron_imap_command_set_tag (without_ir, "A01");
  list = segments (without_ir, SYNC);
  g_assert_cmpuint (list->len, ==, 3);
  assert_segment (list, 0, HERON_IMAP_SEGMENT_TEXT, "A01 AUTHENTICATE PLAIN\r\n");
  assert_segment (list, 1, HERON_IMAP_SEGMENT_WAIT_CONTINUATION, NULL);
  assert_segment (list, 2, HERON_IMAP_SEGMENT_TEXT, "dGVzdAB0ZXN0AHRlc3Q=\r\n");
  g_assert_true (((HeronImapSegment *) g_ptr_array_index (list, 2))->secret);
  check (g_steal_pointer (&without_ir), NULL, "A01 AUTHENTICATE PLAIN\r\ndGVzdAB0ZXN0AHRlc3Q=\r\n");

  /* An empty initial response is "=". */
  check (heron_imap_command_new_capability (), "C01", "C01 CAPABILITY\r\n");
  check (OK (heron_imap_command_new_authenticate (SASL_IR, "EXTERNAL", empty, &error)), "A01",
         "A01 AUTHENTICATE EXTERNAL =\r\n");

  /* 6.2.3 */
  check (OK (heron_imap_command_new_login (0, "SMITH", "SESAME", &error)), "a001",
         "a001 LOGIN SMITH SESAME\r\n");
}

static void
check_enable (const char         *tag,
              const char * const *capabilities,
              const char         *expected)
{
  g_autoptr(GError) error = NULL;

  check (OK (heron_imap_command_new_enable (capabilities, &error)), tag, expected);
}

/* 6.3.1 - 6.3.8 */
static void
test_rfc9051_authenticated (void)
{
  check (heron_imap_command_new_capability (), "t1", "t1 CAPABILITY\r\n");
  check_enable ("t2", STRV ("CONDSTORE", "X-GOOD-IDEA"), "t2 ENABLE CONDSTORE X-GOOD-IDEA\r\n");
  check (heron_imap_command_new_capability (), "t3", "t3 CAPABILITY\r\n");
  check_enable ("a1", STRV ("CONDSTORE"), "a1 ENABLE CONDSTORE\r\n");

  check_mailbox_command (select_plain, "INBOX", "A142", "A142 SELECT INBOX\r\n");
  check_mailbox_command (select_plain, "Drafts", "A143", "A143 SELECT Drafts\r\n");
  check_mailbox_command (examine_plain, "blurdybloop", "A932", "A932 EXAMINE blurdybloop\r\n");

  check_mailbox_command (create, "owatagusiam/", "A003", "A003 CREATE owatagusiam/\r\n");
  check_mailbox_command (create, "owatagusiam/blurdybloop", "A004",
                         "A004 CREATE owatagusiam/blurdybloop\r\n");
  check_mailbox_command (create, "NonNormalized", "A005", "A005 CREATE NonNormalized\r\n");

  check_list ("A682", "", "*", "A682 LIST \"\" *\r\n");
  check_mailbox_command (heron_imap_command_new_delete, "blurdybloop", "A683", "A683 DELETE blurdybloop\r\n");
  check_mailbox_command (heron_imap_command_new_delete, "foo", "A684", "A684 DELETE foo\r\n");
  check_mailbox_command (heron_imap_command_new_delete, "foo/bar", "A685", "A685 DELETE foo/bar\r\n");
  check_list ("A686", "", "*", "A686 LIST \"\" *\r\n");
  check_mailbox_command (heron_imap_command_new_delete, "foo", "A687", "A687 DELETE foo\r\n");
  check_list ("A82", "", "*", "A82 LIST \"\" *\r\n");
  check_mailbox_command (heron_imap_command_new_delete, "blurdybloop", "A83", "A83 DELETE blurdybloop\r\n");
  check_mailbox_command (heron_imap_command_new_delete, "foo", "A84", "A84 DELETE foo\r\n");
  check_list ("A85", "", "*", "A85 LIST \"\" *\r\n");
  check_list ("A86", "", "%", "A86 LIST \"\" %\r\n");

  check_list ("A682", "", "*", "A682 LIST \"\" *\r\n");
  check_rename ("A683", "blurdybloop", "sarasoop", "A683 RENAME blurdybloop sarasoop\r\n");
  check_rename ("A684", "foo", "zowie", "A684 RENAME foo zowie\r\n");
  check_list ("A685", "", "*", "A685 LIST \"\" *\r\n");
  check_list ("Z432", "", "*", "Z432 LIST \"\" *\r\n");
  check_rename ("Z433", "INBOX", "old-mail", "Z433 RENAME INBOX old-mail\r\n");
  check_list ("Z434", "", "*", "Z434 LIST \"\" *\r\n");
  check_rename ("1001", "X", "Y", "1001 RENAME X Y\r\n");
  check_mailbox_command (heron_imap_command_new_subscribe, "Y", "1002", "1002 SUBSCRIBE Y\r\n");
  check_mailbox_command (heron_imap_command_new_unsubscribe, "X", "1003", "1003 UNSUBSCRIBE X\r\n");

  check_mailbox_command (heron_imap_command_new_subscribe, "#news.comp.mail.mime", "A002",
                         "A002 SUBSCRIBE #news.comp.mail.mime\r\n");
  check_mailbox_command (heron_imap_command_new_unsubscribe, "#news.comp.mail.mime", "A002",
                         "A002 UNSUBSCRIBE #news.comp.mail.mime\r\n");
}

static void
check_extended_list (const char          *tag,
                     const char          *reference,
                     const char * const  *patterns,
                     HeronImapListSelect  select_options,
                     HeronImapListReturn  return_options,
                     const char * const  *status_items,
                     const char          *expected)
{
  g_autoptr(GError) error = NULL;

  check (OK (heron_imap_command_new_list (0, reference, patterns, select_options, return_options,
                                          status_items, &error)),
         tag, expected);
}

/* A LIST written as the example writes it: selection options (NULL for none, "" for "()"), a
 * quoted pattern, and return options (NULL for none). */
static void
check_quoted_list (const char *tag,
                   const char *selection,
                   const char *reference,
                   const char *pattern,
                   const char *returns,
                   const char *expected)
{
  HeronImapCommand *cmd = heron_imap_command_new ("LIST", 0);

  if (selection != NULL)
    {
      heron_imap_command_begin_list (cmd);
      if (*selection != '\0')
        heron_imap_command_add_raw (cmd, selection);
      heron_imap_command_end_list (cmd);
    }
  heron_imap_command_add_string (cmd, reference);
  heron_imap_command_add_string (cmd, pattern);
  if (returns != NULL)
    {
      heron_imap_command_add_atom (cmd, "RETURN");
      heron_imap_command_add_raw (cmd, returns);
    }

  check (cmd, tag, expected);
}

/* 6.3.9.8. Most extended examples quote patterns that are valid atoms; those are built with
 * strings. Where the example writes what the builder would choose, the LIST constructor makes it. */
static void
test_rfc9051_list (void)
{
  HeronImapCommand *cmd;

  check_list ("A101", "", "", "A101 LIST \"\" \"\"\r\n");
  check_list ("A102", "#news.comp.mail.misc", "", "A102 LIST #news.comp.mail.misc \"\"\r\n");
  check_list ("A103", "/usr/staff/jones", "", "A103 LIST /usr/staff/jones \"\"\r\n");
  check_list ("A202", "~/Mail/", "%", "A202 LIST ~/Mail/ %\r\n");

  /* Examples 1 - 8 */
  check_quoted_list ("A01", NULL, "", "*", NULL, "A01 LIST \"\" \"*\"\r\n");
  check_quoted_list ("A02", "SUBSCRIBED", "", "*", NULL, "A02 LIST (SUBSCRIBED) \"\" \"*\"\r\n");
  check_quoted_list ("A03", "", "", "%", "(CHILDREN)", "A03 LIST () \"\" \"%\" RETURN (CHILDREN)\r\n");
  check_quoted_list ("A04", "REMOTE", "", "%", "(CHILDREN)",
                     "A04 LIST (REMOTE) \"\" \"%\" RETURN (CHILDREN)\r\n");
  check_quoted_list ("A05", "REMOTE SUBSCRIBED", "", "*", NULL,
                     "A05 LIST (REMOTE SUBSCRIBED) \"\" \"*\"\r\n");
  check_quoted_list ("A06", "REMOTE", "", "*", "(SUBSCRIBED)",
                     "A06 LIST (REMOTE) \"\" \"*\" RETURN (SUBSCRIBED)\r\n");
  check_quoted_list ("C01", NULL, "", "*", NULL, "C01 LIST \"\" \"*\"\r\n");
  check_quoted_list ("CA3", NULL, "", "%", "(CHILDREN)", "CA3 LIST \"\" \"%\" RETURN (CHILDREN)\r\n");
  check_quoted_list ("C02", "SUBSCRIBED", "", "*", NULL, "C02 LIST (SUBSCRIBED) \"\" \"*\"\r\n");
  check_quoted_list ("C04", "SUBSCRIBED RECURSIVEMATCH", "", "%", NULL,
                     "C04 LIST (SUBSCRIBED RECURSIVEMATCH) \"\" \"%\"\r\n");
  check_quoted_list ("C04", "SUBSCRIBED RECURSIVEMATCH", "", "%", "(CHILDREN)",
                     "C04 LIST (SUBSCRIBED RECURSIVEMATCH) \"\" \"%\" RETURN (CHILDREN)\r\n");
  check_quoted_list ("D01", NULL, "", "*", NULL, "D01 LIST \"\" \"*\"\r\n");
  check_quoted_list ("D02", "SUBSCRIBED", "", "*", NULL, "D02 LIST (SUBSCRIBED) \"\" \"*\"\r\n");
  check_quoted_list ("D03", "RECURSIVEMATCH SUBSCRIBED", "", "*2", NULL,
                     "D03 LIST (RECURSIVEMATCH SUBSCRIBED) \"\" \"*2\"\r\n");
  check_quoted_list ("D03", "RECURSIVEMATCH SUBSCRIBED", "", "*", NULL,
                     "D03 LIST (RECURSIVEMATCH SUBSCRIBED) \"\" \"*\"\r\n");

  /* Example 9 */
  cmd = heron_imap_command_new ("LIST", 0);
  heron_imap_command_add_string (cmd, "");
  heron_imap_command_add_string_list (cmd, STRV ("foo"));
  check (cmd, "a1", "a1 LIST \"\" (\"foo\")\r\n");
  check_quoted_list ("a2", "SUBSCRIBED", "", "foo/*", NULL, "a2 LIST (SUBSCRIBED) \"\" \"foo/*\"\r\n");
  check_extended_list ("a3", "", STRV ("foo"),
                       HERON_IMAP_LIST_SELECT_SUBSCRIBED | HERON_IMAP_LIST_SELECT_RECURSIVEMATCH,
                       HERON_IMAP_LIST_RETURN_CHILDREN, NULL,
                       "a3 LIST (SUBSCRIBED RECURSIVEMATCH) \"\" foo RETURN (CHILDREN)\r\n");

  /* Example 10 */
  check_extended_list ("a1", "", STRV ("*"), HERON_IMAP_LIST_SELECT_REMOTE, 0, NULL,
                       "a1 LIST (REMOTE) \"\" *\r\n");
  cmd = heron_imap_command_new ("LIST", 0);
  heron_imap_command_begin_list (cmd);
  heron_imap_command_end_list (cmd);
  heron_imap_command_add_list_mailbox (cmd, "");
  heron_imap_command_add_list_mailbox (cmd, "%");
  check (cmd, "a2", "a2 LIST () \"\" %\r\n");
  check_extended_list ("a3", "", STRV ("%"), HERON_IMAP_LIST_SELECT_REMOTE, 0, NULL,
                       "a3 LIST (REMOTE) \"\" %\r\n");
  check_extended_list ("a3.1", "", STRV ("%", "music/rock"), 0, 0, NULL,
                       "a3.1 LIST \"\" (% music/rock)\r\n");

  /* Example 11: LIST-STATUS */
  check_extended_list ("A01", "", STRV ("%"), 0, 0, STRV ("MESSAGES", "UNSEEN"),
                       "A01 LIST \"\" % RETURN (STATUS (MESSAGES UNSEEN))\r\n");
  check_extended_list ("A02", "", STRV ("%"),
                       HERON_IMAP_LIST_SELECT_SUBSCRIBED | HERON_IMAP_LIST_SELECT_RECURSIVEMATCH, 0,
                       STRV ("MESSAGES"),
                       "A02 LIST (SUBSCRIBED RECURSIVEMATCH) \"\" % RETURN (STATUS (MESSAGES))\r\n");
}

/* 6.3.10 */
static void
test_rfc9051_namespace (void)
{
  check (heron_imap_command_new_namespace (), "A001", "A001 NAMESPACE\r\n");
  check_mailbox_command (create, "INBOX.Sent Mail", "A002", "A002 CREATE \"INBOX.Sent Mail\"\r\n");
  check_quoted_list ("A002", "SPECIAL-USE", "", "*", NULL, "A002 LIST (SPECIAL-USE) \"\" \"*\"\r\n");
  check_quoted_list ("A003", "SPECIAL-USE", "#mh/", "*", NULL,
                     "A003 LIST (SPECIAL-USE) \"#mh/\" \"*\"\r\n");
  check_mailbox_command (create, "Sent Mail", "A004", "A004 CREATE \"Sent Mail\"\r\n");
  check_mailbox_command (create, "Delete Items", "A005", "A005 CREATE \"Delete Items\"\r\n");
  check_mailbox_command (create, "#mh/Deleted Items", "A006", "A006 CREATE \"#mh/Deleted Items\"\r\n");
  check_list ("A002", "", "Other Users/%", "A002 LIST \"\" \"Other Users/%\"\r\n");
  check_quoted_list ("A002", NULL, "", "#Users/%", NULL, "A002 LIST \"\" \"#Users/%\"\r\n");
  check_quoted_list ("A003", NULL, "", "#Users/Mike/%", NULL, "A003 LIST \"\" \"#Users/Mike/%\"\r\n");
  check_quoted_list ("A002", NULL, "", "~mark/%", NULL, "A002 LIST \"\" \"~mark/%\"\r\n");
}

/* 6.3.11 - 6.3.13 */
static void
test_rfc9051_status_append_idle (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *first = NULL;
  g_autofree char *second = NULL;

  check (OK (heron_imap_command_new_status (0, "blurdybloop", STRV ("UIDNEXT", "MESSAGES"), &error)),
         "A042", "A042 STATUS blurdybloop (UIDNEXT MESSAGES)\r\n");

  g_assert_cmpuint (strlen (message_9051), ==, 326);
  first = g_strconcat ("A003 APPEND saved-messages (\\Seen) {326}\r\n", message_9051, "\r\n", NULL);
  check (append_example (message_9051), "A003", first);

  /* The second example uses LITERAL+. */
  g_assert_cmpuint (strlen (message_example_com), ==, 297);
  second = g_strconcat ("A003 APPEND saved-messages (\\Seen) {297+}\r\n", message_example_com, "\r\n",
                        NULL);
  check_mode (append_example (message_example_com), "A003", PLUS, second);
  check (OK (heron_imap_command_new_copy (0, S ("2:4"), "meeting", &error)), "A004",
         "A004 COPY 2:4 meeting\r\n");
  check (OK (heron_imap_command_new_copy (0, U ("305:310"), "meeting", &error)), "A005",
         "A005 UID COPY 305:310 meeting\r\n");
  check (OK (heron_imap_command_new_copy (0, S ("2"), "funny", &error)), "A006", "A006 COPY 2 funny\r\n");
  check_mailbox_command (select_plain, "funny", "A007", "A007 SELECT funny\r\n");

  /* 6.3.13 */
  check_mailbox_command (select_plain, "INBOX", "A001", "A001 SELECT INBOX\r\n");
  check (heron_imap_command_new_idle (), "A002", "A002 IDLE\r\n");
  check (heron_imap_command_new_done (), NULL, "DONE\r\n");
  check (OK (heron_imap_command_new_fetch (S ("4"), STRV ("ALL"), NO_MODSEQ, FALSE, &error)), "A003",
         "A003 FETCH 4 ALL\r\n");
  check (heron_imap_command_new_idle (), "A004", "A004 IDLE\r\n");
  check (heron_imap_command_new_done (), NULL, "DONE\r\n");
  check (OK (heron_imap_command_new_fetch (S ("3"), STRV ("ALL"), NO_MODSEQ, FALSE, &error)), "A005",
         "A005 FETCH 3 ALL\r\n");
  check (heron_imap_command_new_idle (), "A006", "A006 IDLE\r\n");
}

typedef struct {
  const char *tag;
  gboolean uid;
  const char * const *returns;
  const char *charset;
  const char *criteria;
  HeronImapLiteralMode mode;
  const char *expected;
} SearchCase;

#define SINCE_1994_NOT_SMITH "SINCE|@1994-02-01|NOT|FROM|\"Smith"
#define SINCE_2006_NOT_SMITH "SINCE|@2006-02-12|NOT|FROM|\"Smith"

/* 6.4.4, 6.4.4.4. The KOI8-R example stands "XXXX" for four 8-bit octets: мать in KOI8-R. */
static const SearchCase rfc9051_searches[] = {
  { "A282", FALSE, STRV ("MIN COUNT"), NULL, "FLAGGED|" SINCE_1994_NOT_SMITH, SYNC,
    "A282 SEARCH RETURN (MIN COUNT) FLAGGED SINCE 1-Feb-1994 NOT FROM \"Smith\"\r\n" },
  { "A283", FALSE, STRV (NULL), NULL, "FLAGGED|" SINCE_1994_NOT_SMITH, SYNC,
    "A283 SEARCH RETURN () FLAGGED SINCE 1-Feb-1994 NOT FROM \"Smith\"\r\n" },
  { "A284", FALSE, NULL, NULL, "TEXT|\"string not in mailbox", SYNC,
    "A284 SEARCH TEXT \"string not in mailbox\"\r\n" },
  { "A285", FALSE, NULL, "UTF-8", "TEXT|\"отпуск", SYNC,
    "A285 SEARCH CHARSET UTF-8 TEXT {12}\r\nотпуск\r\n" },
  { "A284", FALSE, STRV ("MIN"), NULL, "UNSEEN", SYNC, "A284 SEARCH RETURN (MIN) UNSEEN\r\n" },
  { "A285", TRUE, STRV ("MIN", "MAX"), NULL, "1:5000", SYNC,
    "A285 UID SEARCH RETURN (MIN MAX) 1:5000\r\n" },
  { "A286", FALSE, STRV ("COUNT"), NULL, "DELETED", SYNC, "A286 SEARCH RETURN (COUNT) DELETED\r\n" },
  { "A282", FALSE, STRV ("SAVE"), NULL, "FLAGGED|" SINCE_1994_NOT_SMITH, SYNC,
    "A282 SEARCH RETURN (SAVE) FLAGGED SINCE 1-Feb-1994 NOT FROM \"Smith\"\r\n" },
  { "A300", FALSE, STRV ("SAVE"), NULL, "SINCE|@2004-01-01|NOT|FROM|\"Smith", SYNC,
    "A300 SEARCH RETURN (SAVE) SINCE 1-Jan-2004 NOT FROM \"Smith\"\r\n" },
  { "A301", TRUE, NULL, NULL, "UID|$|SMALLER|4096", SYNC, "A301 UID SEARCH UID $ SMALLER 4096\r\n" },
  { "A301", TRUE, NULL, NULL, "$|SMALLER|4096", SYNC, "A301 UID SEARCH $ SMALLER 4096\r\n" },
  { "P282", FALSE, STRV ("SAVE"), NULL, SINCE_1994_NOT_SMITH, SYNC,
    "P282 SEARCH RETURN (SAVE) SINCE 1-Feb-1994 NOT FROM \"Smith\"\r\n" },
  { "P283", FALSE, NULL, "UTF-8", "(OR $ 1,3000:3021)|TEXT|\"мать", PLUS,
    "P283 SEARCH CHARSET UTF-8 (OR $ 1,3000:3021) TEXT {8+}\r\nмать\r\n" },
  { "B282", FALSE, STRV ("SAVE"), NULL, SINCE_1994_NOT_SMITH, SYNC,
    "B282 SEARCH RETURN (SAVE) SINCE 1-Feb-1994 NOT FROM \"Smith\"\r\n" },
  { "B283", FALSE, STRV ("SAVE"), "KOI8-R", "(OR $ 1,3000:3021)|TEXT|\"\xcd\xc1\xd4\xd8", SYNC,
    "B283 SEARCH RETURN (SAVE) CHARSET KOI8-R (OR $ 1,3000:3021) TEXT {4}\r\n\xcd\xc1\xd4\xd8\r\n" },
  { "E282", FALSE, STRV ("SAVE"), NULL, "SINCE|@2006-10-28|NOT|FROM|\"Eric", SYNC,
    "E282 SEARCH RETURN (SAVE) SINCE 28-Oct-2006 NOT FROM \"Eric\"\r\n" },
  { "F282", FALSE, STRV ("SAVE"), NULL, "KEYWORD|$Junk", SYNC, "F282 SEARCH RETURN (SAVE) KEYWORD $Junk\r\n" },
  { "G282", FALSE, STRV ("SAVE"), NULL, "KEYWORD|$Junk", SYNC, "G282 SEARCH RETURN (SAVE) KEYWORD $Junk\r\n" },
  { "G283", FALSE, STRV ("ALL"), NULL, "SINCE|@2006-10-28|FROM|\"Eric", SYNC,
    "G283 SEARCH RETURN (ALL) SINCE 28-Oct-2006 FROM \"Eric\"\r\n" },
  { "H282", FALSE, STRV ("SAVE"), NULL, "KEYWORD|$Junk", SYNC, "H282 SEARCH RETURN (SAVE) KEYWORD $Junk\r\n" },
  { "H283", FALSE, STRV ("SAVE"), NULL, "SINCE|@2006-10-28|FROM|\"Eric", SYNC,
    "H283 SEARCH RETURN (SAVE) SINCE 28-Oct-2006 FROM \"Eric\"\r\n" },
  { "C282", FALSE, STRV ("ALL"), NULL, SINCE_2006_NOT_SMITH, SYNC,
    "C282 SEARCH RETURN (ALL) SINCE 12-Feb-2006 NOT FROM \"Smith\"\r\n" },
  { "C283", FALSE, STRV ("ALL SAVE"), NULL, SINCE_2006_NOT_SMITH, SYNC,
    "C283 SEARCH RETURN (ALL SAVE) SINCE 12-Feb-2006 NOT FROM \"Smith\"\r\n" },
  { "C284", FALSE, STRV ("SAVE MIN"), NULL, SINCE_2006_NOT_SMITH, SYNC,
    "C284 SEARCH RETURN (SAVE MIN) SINCE 12-Feb-2006 NOT FROM \"Smith\"\r\n" },
  { "C285", FALSE, STRV ("MAX SAVE MIN"), NULL, SINCE_2006_NOT_SMITH, SYNC,
    "C285 SEARCH RETURN (MAX SAVE MIN) SINCE 12-Feb-2006 NOT FROM \"Smith\"\r\n" },
  { "C286", FALSE, STRV ("MAX SAVE MIN COUNT"), NULL, SINCE_2006_NOT_SMITH, SYNC,
    "C286 SEARCH RETURN (MAX SAVE MIN COUNT) SINCE 12-Feb-2006 NOT FROM \"Smith\"\r\n" },
  { "C286", FALSE, STRV ("ALL SAVE MIN"), NULL, SINCE_2006_NOT_SMITH, SYNC,
    "C286 SEARCH RETURN (ALL SAVE MIN) SINCE 12-Feb-2006 NOT FROM \"Smith\"\r\n" },
};

static void
test_rfc9051_search (void)
{
  HeronImapCommand *cmd;

  for (guint i = 0; i < G_N_ELEMENTS (rfc9051_searches); i++)
    {
      const SearchCase *c = &rfc9051_searches[i];

      check_mode (search (0, c->uid, c->returns, c->charset, c->criteria), c->tag, c->mode, c->expected);
    }

  /* The commands of 6.4.4.4 that use the "$" marker for a set. */
  cmd = heron_imap_command_new ("FETCH", 0);
  heron_imap_command_add_raw (cmd, "$");
  heron_imap_command_add_raw (cmd, "(UID INTERNALDATE FLAGS BODY.PEEK[HEADER])");
  check (cmd, "A283", "A283 FETCH $ (UID INTERNALDATE FLAGS BODY.PEEK[HEADER])\r\n");

  cmd = heron_imap_command_new ("COPY", 0);
  heron_imap_command_add_raw (cmd, "$");
  heron_imap_command_add_mailbox (cmd, "Other Messages");
  check (cmd, "E283", "E283 COPY $ \"Other Messages\"\r\n");

  /* The example quotes an atom. */
  cmd = heron_imap_command_new ("COPY", 0);
  heron_imap_command_add_raw (cmd, "$");
  heron_imap_command_add_string (cmd, "Junk");
  check (cmd, "F283", "F283 COPY $ \"Junk\"\r\n");

  cmd = heron_imap_command_new ("STORE", 0);
  heron_imap_command_add_raw (cmd, "$");
  heron_imap_command_add_atom (cmd, "+FLAGS.Silent");
  heron_imap_command_add_flag_list (cmd, STRV ("\\Deleted"));
  check (cmd, "F284", "F284 STORE $ +FLAGS.Silent (\\Deleted)\r\n");
}

/* 6.4.1 - 6.4.9 (6.4.4 above) */
static void
test_rfc9051_selected (void)
{
  g_autoptr(GError) error = NULL;

  check (heron_imap_command_new_close (), "A341", "A341 CLOSE\r\n");
  check (heron_imap_command_new_unselect (), "A342", "A342 UNSELECT\r\n");
  check (heron_imap_command_new_expunge (), "A202", "A202 EXPUNGE\r\n");
  check (OK (heron_imap_command_new_fetch (S ("2:4"), STRV ("FLAGS", "BODY[HEADER.FIELDS (DATE FROM)]"),
                                           NO_MODSEQ, FALSE, &error)),
         "A654", "A654 FETCH 2:4 (FLAGS BODY[HEADER.FIELDS (DATE FROM)])\r\n");
  check (OK (heron_imap_command_new_store (S ("2:4"), HERON_IMAP_STORE_ADD, FALSE, STRV ("\\Deleted"),
                                           NO_MODSEQ, &error)),
         "A003", "A003 STORE 2:4 +FLAGS (\\Deleted)\r\n");
  check (OK (heron_imap_command_new_copy (0, S ("2:4"), "MEETING", &error)), "A003",
         "A003 COPY 2:4 MEETING\r\n");
  check (OK (heron_imap_command_new_move (0, U ("42:69"), "foo", &error)), "a",
         "a UID MOVE 42:69 foo\r\n");
  check (OK (heron_imap_command_new_uid_expunge (U ("3000:3002"), &error)), "A003",
         "A003 UID EXPUNGE 3000:3002\r\n");
  check (OK (heron_imap_command_new_fetch (U ("4827313:4828442"), STRV ("FLAGS"), NO_MODSEQ, FALSE,
                                           &error)),
         "A999", "A999 UID FETCH 4827313:4828442 FLAGS\r\n");

  /* 6.5 */
  check (heron_imap_command_new_capability (), "a441", "a441 CAPABILITY\r\n");
  check (heron_imap_command_new ("XPIG-LATIN", 0), "A442", "A442 XPIG-LATIN\r\n");
}

/* RFC 7162 */

static void
check_store (const char            *tag,
             const HeronImapUidSet *set,
             HeronImapStoreAction   action,
             gboolean               silent,
             const char * const    *flags,
             guint64                unchanged_since,
             const char            *expected)
{
  g_autoptr(GError) error = NULL;

  check (OK (heron_imap_command_new_store (set, action, silent, flags, unchanged_since, &error)), tag,
         expected);
}

/* A STORE whose set the example writes out of order ("6,4,8"): the set goes as it is. */
static void
check_unordered_store (const char *tag,
                       const char *name,
                       const char *set,
                       guint64     unchanged_since,
                       const char *item,
                       const char *flags_list,
                       const char *expected)
{
  HeronImapCommand *cmd = heron_imap_command_new (name, 0);

  heron_imap_command_add_raw (cmd, set);
  heron_imap_command_begin_list (cmd);
  heron_imap_command_add_atom (cmd, "UNCHANGEDSINCE");
  heron_imap_command_add_number64 (cmd, unchanged_since);
  heron_imap_command_end_list (cmd);
  heron_imap_command_add_atom (cmd, item);
  heron_imap_command_add_raw (cmd, flags_list);
  check (cmd, tag, expected);
}

/* Sections 3.1.2 - 3.1.12 and 7: CONDSTORE */
static void
test_rfc7162_condstore (void)
{
  g_autoptr(GError) error = NULL;
  HeronImapSelectParams condstore = { .condstore = TRUE };
  HeronImapCommand *cmd;

  /* Examples 1, 2 */
  check (OK (heron_imap_command_new_select (0, "INBOX", NULL, &error)), "A142", "A142 SELECT INBOX\r\n");

  /* Example 3; the builder's own order for the same set. */
  check_unordered_store ("a103", "UID STORE", "6,4,8", 12121230045, "+FLAGS.SILENT", "(\\Deleted)",
                         "a103 UID STORE 6,4,8 (UNCHANGEDSINCE 12121230045) +FLAGS.SILENT (\\Deleted)\r\n");
  check_store ("a103", U ("6,4,8"), HERON_IMAP_STORE_ADD, TRUE, STRV ("\\Deleted"), 12121230045,
               "a103 UID STORE 4,6,8 (UNCHANGEDSINCE 12121230045) +FLAGS.SILENT (\\Deleted)\r\n");
  /* Examples 4, 5 */
  check_store ("a104", S ("*"), HERON_IMAP_STORE_ADD, TRUE, STRV ("\\Deleted", "$Processed"), 12121230045,
               "a104 STORE * (UNCHANGEDSINCE 12121230045) +FLAGS.SILENT (\\Deleted $Processed)\r\n");
  check_store ("c101", S ("50"), HERON_IMAP_STORE_REMOVE, TRUE, STRV ("\\Deleted"), 12121230045,
               "c101 STORE 50 (UNCHANGEDSINCE 12121230045) -FLAGS.SILENT (\\Deleted)\r\n");
  /* Examples 6, 7 */
  check_unordered_store ("d105", "STORE", "7,5,9", 320162338, "+FLAGS.SILENT", "(\\Deleted)",
                         "d105 STORE 7,5,9 (UNCHANGEDSINCE 320162338) +FLAGS.SILENT (\\Deleted)\r\n");
  /* Example 8: UNCHANGEDSINCE 0 is valid. */
  check_store ("a102", S ("12"), HERON_IMAP_STORE_ADD, TRUE, STRV ("$MDNSent"), 0,
               "a102 STORE 12 (UNCHANGEDSINCE 0) +FLAGS.SILENT ($MDNSent)\r\n");
  /* Examples 9, 10 */
  check_store ("a106", S ("100:150"), HERON_IMAP_STORE_ADD, TRUE, STRV ("$Processed"), 212030000000,
               "a106 STORE 100:150 (UNCHANGEDSINCE 212030000000) +FLAGS.SILENT ($Processed)\r\n");
  check (heron_imap_command_new_noop (), "a107", "a107 NOOP\r\n");
  check (heron_imap_command_new_noop (), "b107", "b107 NOOP\r\n");
  check_store ("b108", S ("101"), HERON_IMAP_STORE_ADD, TRUE, STRV ("$Processed"), 303011130956,
               "b108 STORE 101 (UNCHANGEDSINCE 303011130956) +FLAGS.SILENT ($Processed)\r\n");
  /* Example 11 */
  check_store ("B001", S ("1:7"), HERON_IMAP_STORE_ADD, FALSE, STRV ("\\SEEN"), 320172338,
               "B001 STORE 1:7 (UNCHANGEDSINCE 320172338) +FLAGS (\\SEEN)\r\n");
  check (heron_imap_command_new_noop (), "B002", "B002 NOOP\r\n");
  check_store ("b003", S ("2"), HERON_IMAP_STORE_ADD, FALSE, STRV ("\\Seen"), 320172340,
               "b003 STORE 2 (UNCHANGEDSINCE 320172340) +FLAGS (\\Seen)\r\n");
  check_unordered_store ("e105", "STORE", "7,3:9", 12121230045, "+FLAGS.SILENT", "(\\Deleted)",
                         "e105 STORE 7,3:9 (UNCHANGEDSINCE 12121230045) +FLAGS.SILENT (\\Deleted)\r\n");

  /* Example 12 (a single item in parentheses goes as it is given) */
  check (OK (heron_imap_command_new_fetch (U ("1:*"), STRV ("(FLAGS)"), 12345, FALSE, &error)), "s100",
         "s100 UID FETCH 1:* (FLAGS) (CHANGEDSINCE 12345)\r\n");
  /* Examples 13, 14 */
  check (OK (heron_imap_command_new_fetch (S ("1:3"), STRV ("(MODSEQ)"), NO_MODSEQ, FALSE, &error)), "a",
         "a FETCH 1:3 (MODSEQ)\r\n");
  check_mailbox_command (select_plain, "INBOX", "A142", "A142 SELECT INBOX\r\n");
  check_store ("A160", S ("7"), HERON_IMAP_STORE_ADD, TRUE, STRV ("\\Deleted"), NO_MODSEQ,
               "A160 STORE 7 +FLAGS.SILENT (\\Deleted)\r\n");
  check (heron_imap_command_new_noop (), "C180", "C180 NOOP\r\n");
  check (heron_imap_command_new_noop (), "D210", "D210 NOOP\r\n");
  check_store ("A240", S ("7"), HERON_IMAP_STORE_ADD, TRUE, STRV ("\\Seen"), NO_MODSEQ,
               "A240 STORE 7 +FLAGS.SILENT (\\Seen)\r\n");
  check (heron_imap_command_new_noop (), "C270", "C270 NOOP\r\n");
  check (heron_imap_command_new_noop (), "D300", "D300 NOOP\r\n");
  check_store ("A330", S ("7"), HERON_IMAP_STORE_REMOVE, TRUE, STRV ("\\Answered", "\\Seen"), NO_MODSEQ,
               "A330 STORE 7 -FLAGS.SILENT (\\Answered \\Seen)\r\n");
  check (heron_imap_command_new_noop (), "C360", "C360 NOOP\r\n");
  check (heron_imap_command_new_noop (), "D390", "D390 NOOP\r\n");

  /* Examples 15, 16: the entry name is a quoted string with its backslash escaped. */
  check (search (0, FALSE, NULL, NULL, "MODSEQ|\"/flags/\\draft|all|620162338"), "a",
         "a SEARCH MODSEQ \"/flags/\\\\draft\" all 620162338\r\n");
  check (search (0, FALSE, NULL, NULL, "OR|NOT|MODSEQ|720162338|LARGER|50000"), "t",
         "t SEARCH OR NOT MODSEQ 720162338 LARGER 50000\r\n");
  /* Section 7's entry-flag-name examples: always a quoted string, even where an atom would do. */
  check (search (0, FALSE, NULL, NULL, "MODSEQ|\"/flags/\\seen|priv|1"), "a",
         "a SEARCH MODSEQ \"/flags/\\\\seen\" priv 1\r\n");
  check (search (0, FALSE, NULL, NULL, "MODSEQ|\"/flags/$mdnsent|shared|0"), "a",
         "a SEARCH MODSEQ \"/flags/$mdnsent\" shared 0\r\n");

  /* Example 17 */
  check (OK (heron_imap_command_new_status (0, "blurdybloop", STRV ("UIDNEXT", "MESSAGES", "HIGHESTMODSEQ"),
                                            &error)),
         "A042", "A042 STATUS blurdybloop (UIDNEXT MESSAGES HIGHESTMODSEQ)\r\n");

  /* Example 18 */
  check (OK (heron_imap_command_new_select (0, "INBOX", &condstore, &error)), "A142",
         "A142 SELECT INBOX (CONDSTORE)\r\n");

  /* Examples 19, 20 (SORT has no constructor) */
  check (search (0, FALSE, STRV ("ALL"), NULL, "MODSEQ|1234"), "a", "a SEARCH RETURN (ALL) MODSEQ 1234\r\n");
  cmd = heron_imap_command_new ("SORT", 0);
  heron_imap_command_add_atom (cmd, "RETURN");
  heron_imap_command_add_raw (cmd, "(ALL)");
  heron_imap_command_add_raw (cmd, "(DATE)");
  heron_imap_command_add_atom (cmd, "UTF-8");
  heron_imap_command_add_atom (cmd, "MODSEQ");
  heron_imap_command_add_number64 (cmd, 1234);
  check (cmd, "a", "a SORT RETURN (ALL) (DATE) UTF-8 MODSEQ 1234\r\n");

  /* Section 3.1.12 */
  check_store ("a106", S ("100:150"), HERON_IMAP_STORE_ADD, TRUE, STRV ("$Processed"), 212030000000,
               "a106 STORE 100:150 (UNCHANGEDSINCE 212030000000) +FLAGS.SILENT ($Processed)\r\n");
}

static void
check_select (const char                  *tag,
              const HeronImapSelectParams *params,
              const char                  *expected)
{
  g_autoptr(GError) error = NULL;

  check (OK (heron_imap_command_new_select (0, "INBOX", params, &error)), tag, expected);
}

/* Sections 3.2.5 - 3.2.9 and 6: QRESYNC */
static void
test_rfc7162_qresync (void)
{
  g_autoptr(GError) error = NULL;
  HeronImapSelectParams a02 = {
    .qresync_uidvalidity = 67890007,
    .qresync_modseq = 20050715194045000,
    .qresync_known_uids = U ("41,43:211,214:541"),
  };
  HeronImapSelectParams a03 = {
    .qresync_uidvalidity = 67890007,
    .qresync_modseq = 90060115194045000,
    .qresync_known_uids = U ("41:211,214:541"),
  };
  HeronImapSelectParams a04 = {
    .qresync_uidvalidity = 67890007,
    .qresync_modseq = 90060115194045000,
    .qresync_known_uids = U ("1:29997"),
  };
  HeronImapSelectParams b04 = {
    .qresync_uidvalidity = 67890007,
    .qresync_modseq = 90060115194045000,
    .qresync_known_uids = U ("1:29997"),
    .qresync_match_seqs = S ("5000,7500,9000,9990:9999"),
    .qresync_match_uids = U ("15000,22500,27000,29970,29973,29976,29979,29982,29985,29988,29991,"
                             "29994,29997"),
  };
  HeronImapSelectParams a142 = {
    .qresync_uidvalidity = 3857529045,
    .qresync_modseq = 20010715194032001,
    .qresync_known_uids = U ("1:198"),
  };
  HeronImapSelectParams both = {
    .condstore = TRUE,
    .qresync_uidvalidity = 1,
    .qresync_modseq = 2,
  };

  /* 3.2.3 asks for "ENABLE QRESYNC" but shows no exchange: the tag is ours. */
  check_enable ("A01", STRV ("QRESYNC"), "A01 ENABLE QRESYNC\r\n");

  /* 3.2.5, 3.2.5.1, 3.2.5.2 (twice) and 6 */
  check_select ("A02", &a02, "A02 SELECT INBOX (QRESYNC (67890007 20050715194045000 41,43:211,214:541))\r\n");
  check_select ("A03", &a03, "A03 SELECT INBOX (QRESYNC (67890007 90060115194045000 41:211,214:541))\r\n");
  check_select ("A04", &a04, "A04 SELECT INBOX (QRESYNC (67890007 90060115194045000 1:29997))\r\n");
  check_select ("B04", &b04,
                "B04 SELECT INBOX (QRESYNC (67890007 90060115194045000 1:29997 (5000,7500,9000,9990:9999 "
                "15000,22500,27000,29970,29973,29976,29979,29982,29985,29988,29991,29994,29997)))\r\n");
  check_select ("A142", &a142, "A142 SELECT INBOX (QRESYNC (3857529045 20010715194032001 1:198))\r\n");
  /* Not in the RFC: both select-params (RFC 4466 allows a list of them). */
  check_select ("A1", &both, "A1 SELECT INBOX (CONDSTORE QRESYNC (1 2))\r\n");

  /* 3.2.6 */
  check (OK (heron_imap_command_new_fetch (U ("300:500"), STRV ("(FLAGS)"), 12345, FALSE, &error)), "s100",
         "s100 UID FETCH 300:500 (FLAGS) (CHANGEDSINCE 12345)\r\n");
  check (search (0, TRUE, NULL, NULL, "300:500"), "s101", "s101 UID SEARCH 300:500\r\n");
  check (OK (heron_imap_command_new_fetch (U ("300:500"), STRV ("(FLAGS)"), 12345, TRUE, &error)), "s100",
         "s100 UID FETCH 300:500 (FLAGS) (CHANGEDSINCE 12345 VANISHED)\r\n");

  /* 3.2.7 - 3.2.10 */
  check (heron_imap_command_new_expunge (), "A202", "A202 EXPUNGE\r\n");
  check (heron_imap_command_new_expunge (), "B202", "B202 EXPUNGE\r\n");
  check (heron_imap_command_new_close (), "A202", "A202 CLOSE\r\n");
  check (OK (heron_imap_command_new_uid_expunge (U ("3000:3002"), &error)), ".",
         ". UID EXPUNGE 3000:3002\r\n");
  check (heron_imap_command_new_expunge (), "A210", "A210 EXPUNGE\r\n");

  /* 6: flags written without parentheses, which the builder does not do. */
  {
    HeronImapCommand *cmd = heron_imap_command_new ("STORE", 0);

    heron_imap_command_add_uid_set (cmd, S ("1:2"));
    heron_imap_command_begin_list (cmd);
    heron_imap_command_add_atom (cmd, "UNCHANGEDSINCE");
    heron_imap_command_add_number64 (cmd, 96);
    heron_imap_command_end_list (cmd);
    heron_imap_command_add_atom (cmd, "+FLAGS.SILENT");
    heron_imap_command_add_raw (cmd, "\\Seen");
    check (cmd, "A150", "A150 STORE 1:2 (UNCHANGEDSINCE 96) +FLAGS.SILENT \\Seen\r\n");

    cmd = heron_imap_command_new ("STORE", 0);
    heron_imap_command_add_uid_set (cmd, S ("3"));
    heron_imap_command_add_atom (cmd, "+FLAGS.SILENT");
    heron_imap_command_add_raw (cmd, "\\Seen");
    check (cmd, "A151", "A151 STORE 3 +FLAGS.SILENT \\Seen\r\n");
  }
  check (heron_imap_command_new_noop (), "A152", "A152 NOOP\r\n");
}

/* RFC 4315 sections 2.1 and 3 */
static void
test_rfc4315 (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *append = g_strconcat ("A003 APPEND saved-messages (\\Seen) {297}\r\n",
                                         message_example_com, "\r\n", NULL);

  check (OK (heron_imap_command_new_uid_expunge (U ("3000:3002"), &error)), "A003",
         "A003 UID EXPUNGE 3000:3002\r\n");
  check (append_example (message_example_com), "A003", append);
  check (OK (heron_imap_command_new_copy (0, S ("2:4"), "meeting", &error)), "A004",
         "A004 COPY 2:4 meeting\r\n");
  check (OK (heron_imap_command_new_copy (0, U ("305:310"), "meeting", &error)), "A005",
         "A005 UID COPY 305:310 meeting\r\n");
  check (OK (heron_imap_command_new_copy (0, S ("2"), "funny", &error)), "A006", "A006 COPY 2 funny\r\n");
  check_mailbox_command (select_plain, "funny", "A007", "A007 SELECT funny\r\n");
}

/* RFC 7888 section 3: the quoted form of the LITERAL+ example is what LOGIN builds. */
static void
test_rfc7888 (void)
{
  g_autoptr(GError) error = NULL;

  check (OK (heron_imap_command_new_login (0, "FRED FOOBAR", "fat man", &error)), "A001",
         "A001 LOGIN \"FRED FOOBAR\" \"fat man\"\r\n");
}

/* RFC 2971 section 3.1, RFC 6154 section 5.3, RFC 4978, RFC 9208, RFC 2177 */
static void
test_extensions (void)
{
  g_autoptr(GError) error = NULL;

  check (OK (heron_imap_command_new_id (0, STRV ("name", "sodr", "version", "19.34", "vendor",
                                                 "Pink Floyd Music Limited"), &error)),
         "a023", "a023 ID (\"name\" \"sodr\" \"version\" \"19.34\" \"vendor\" \"Pink Floyd Music Limited\")\r\n");
  check (OK (heron_imap_command_new_id (0, NULL, &error)), "a024", "a024 ID NIL\r\n");

  check (OK (heron_imap_command_new_create (0, "MySpecial", STRV ("\\Drafts", "\\Sent"), &error)), "t2",
         "t2 CREATE MySpecial (USE (\\Drafts \\Sent))\r\n");
  check (OK (heron_imap_command_new_create (0, "Everything", STRV ("\\All"), &error)), "t3",
         "t3 CREATE Everything (USE (\\All))\r\n");
  check_quoted_list ("t1", NULL, "", "%", NULL, "t1 LIST \"\" \"%\"\r\n");
  check_extended_list ("t2", "", STRV ("%"), 0, HERON_IMAP_LIST_RETURN_SPECIAL_USE, NULL,
                       "t2 LIST \"\" % RETURN (SPECIAL-USE)\r\n");
  check_extended_list ("t3", "", STRV ("*"), HERON_IMAP_LIST_SELECT_SPECIAL_USE, 0, NULL,
                       "t3 LIST (SPECIAL-USE) \"\" *\r\n");
  check_extended_list ("A1", "", STRV ("*"), HERON_IMAP_LIST_SELECT_SUBSCRIBED,
                       HERON_IMAP_LIST_RETURN_CHILDREN | HERON_IMAP_LIST_RETURN_SPECIAL_USE,
                       STRV ("MESSAGES", "UIDNEXT", "UIDVALIDITY", "UNSEEN", "HIGHESTMODSEQ"),
                       "A1 LIST (SUBSCRIBED) \"\" * RETURN (CHILDREN SPECIAL-USE STATUS (MESSAGES UIDNEXT "
                       "UIDVALIDITY UNSEEN HIGHESTMODSEQ))\r\n");

  /* A reference is a mailbox name: wildcards in it are quoted, in a pattern they are not. */
  check_extended_list ("A7", "a%b", STRV ("%"), 0, 0, NULL, "A7 LIST \"a%b\" %\r\n");
  check (OK (heron_imap_command_new_lsub (0, "*", "*", &error)), "A8", "A8 LSUB \"*\" *\r\n");

  check (heron_imap_command_new_compress (), "a", "a COMPRESS DEFLATE\r\n");
  check_mailbox_command (heron_imap_command_new_getquotaroot, "inbox", "A003", "A003 GETQUOTAROOT INBOX\r\n");
  check (OK (heron_imap_command_new_lsub (0, "", "*", &error)), "A1", "A1 LSUB \"\" *\r\n");
  check_enable ("A2", STRV ("UTF8=ACCEPT", "QRESYNC", "CONDSTORE"), "A2 ENABLE UTF8=ACCEPT QRESYNC CONDSTORE\r\n");
  check (OK (heron_imap_command_new_fetch (U ("1:*"), STRV ("UID", "FLAGS", "MODSEQ",
                                                            "BODY.PEEK[HEADER.FIELDS (DATE FROM SUBJECT)]"),
                                           NO_MODSEQ, FALSE, &error)),
         "A3", "A3 UID FETCH 1:* (UID FLAGS MODSEQ BODY.PEEK[HEADER.FIELDS (DATE FROM SUBJECT)])\r\n");
  check (OK (heron_imap_command_new_copy (0, U ("1:3,7"), "Archive", &error)), "A4",
         "A4 UID COPY 1:3,7 Archive\r\n");
  check_store ("A5", U ("9"), HERON_IMAP_STORE_REPLACE, FALSE, NULL, NO_MODSEQ, "A5 UID STORE 9 FLAGS ()\r\n");
  check_store ("A6", U ("9"), HERON_IMAP_STORE_REPLACE, TRUE, STRV ("\\Seen", "$Forwarded"), NO_MODSEQ,
               "A6 UID STORE 9 FLAGS.SILENT (\\Seen $Forwarded)\r\n");
}

/* Strings: atom, quoted or literal */

static char *
astring_wire (HeronImapCommandFlags  flags,
              const char            *value,
              gssize                 length)
{
  g_autoptr(HeronImapCommand) cmd = heron_imap_command_new ("X", flags);
  g_autoptr(GBytes) bytes = NULL;
  gsize size;
  const char *data;

  heron_imap_command_add_astring_len (cmd, value, length);
  heron_imap_command_set_tag (cmd, "t");
  bytes = serialize (cmd, SYNC);
  data = g_bytes_get_data (bytes, &size);

  /* Strip "t X " and the final CRLF. */
  g_assert_cmpuint (size, >=, 6);
  return g_strndup (data + 4, size - 6);
}

static void
check_astring (HeronImapCommandFlags  flags,
               const char            *value,
               const char            *expected)
{
  g_autofree char *wire = astring_wire (flags, value, -1);

  g_assert_cmpstr (wire, ==, expected);
}

static void
test_astring_atom (void)
{
  check_astring (0, "abc", "abc");
  check_astring (0, "a]b", "a]b");
  check_astring (0, "#news.comp.mail.misc", "#news.comp.mail.misc");
  check_astring (0, "~/Mail/", "~/Mail/");
  check_astring (0, "$Forwarded", "$Forwarded");
}

static void
test_astring_quoted (void)
{
  check_astring (0, "", "\"\"");
  check_astring (0, "a b", "\"a b\"");
  check_astring (0, "a\"b", "\"a\\\"b\"");
  check_astring (0, "a\\b", "\"a\\\\b\"");
  check_astring (0, "\"\\", "\"\\\"\\\\\"");
  check_astring (0, "a%b", "\"a%b\"");
  check_astring (0, "a*b", "\"a*b\"");
  check_astring (0, "(a)", "\"(a)\"");
  check_astring (0, "{3}", "\"{3}\"");
  check_astring (0, "a\tb", "\"a\tb\"");
  /* NIL in any case would read as nil to a loose parser. */
  check_astring (0, "NIL", "\"NIL\"");
  check_astring (0, "nil", "\"nil\"");
  check_astring (0, "NILE", "NILE");
}

static void
test_astring_literal (void)
{
  check_astring (0, "a\r\nb", "{4}\r\na\r\nb");
  check_astring (0, "a\rb", "{3}\r\na\rb");
  check_astring (0, "a\nb", "{3}\r\na\nb");
  check_astring (0, "\n", "{1}\r\n\n");
}

/* NUL cannot be sent except in a binary literal: refused outright. */
static void
test_astring_nul (void)
{
  g_autoptr(HeronImapCommand) cmd = heron_imap_command_new ("X", 0);
  g_autoptr(HeronImapCommand) string = heron_imap_command_new ("X", 0);
  g_autoptr(GError) error = NULL;

  heron_imap_command_add_astring_len (cmd, "a\0b", 3);
  g_assert_false (heron_imap_command_check (cmd, &error));
  g_assert_error (error, HERON_IMAP_ERROR, HERON_IMAP_ERROR_INVALID);
  g_clear_error (&error);

  heron_imap_command_set_tag (cmd, "t");
  g_assert_null (heron_imap_command_serialize_all (cmd, PLUS, &error));
  g_assert_error (error, HERON_IMAP_ERROR, HERON_IMAP_ERROR_INVALID);
  g_clear_error (&error);

  /* Even where the string would go as a literal anyway. */
  heron_imap_command_add_string_len (string, "\r\n\0", 3);
  g_assert_false (heron_imap_command_check (string, &error));
  g_assert_error (error, HERON_IMAP_ERROR, HERON_IMAP_ERROR_INVALID);
}

static void
test_astring_8bit (void)
{
  /* Without UTF8=ACCEPT a quoted string is 7-bit: café goes as a literal. */
  check_astring (0, "café", "{5}\r\ncafé");
  check_astring (UTF8, "café", "\"café\"");
  check_astring (UTF8, "ca\"fé", "\"ca\\\"fé\"");
  /* Not UTF-8: a literal even with UTF8=ACCEPT. */
  check_astring (UTF8, "caf\xe9", "{4}\r\ncaf\xe9");
  check_astring (0, "caf\xe9", "{4}\r\ncaf\xe9");
}

static void
test_astring_long (void)
{
  g_autofree char *quoted = g_strnfill (HERON_IMAP_QUOTED_MAX, ' ');
  g_autofree char *literal = g_strnfill (HERON_IMAP_QUOTED_MAX + 1, ' ');
  g_autofree char *atom = g_strnfill (HERON_IMAP_QUOTED_MAX * 4, 'a');
  g_autofree char *wire = NULL;
  g_autofree char *expected = NULL;

  wire = astring_wire (0, quoted, -1);
  expected = g_strdup_printf ("\"%s\"", quoted);
  g_assert_cmpstr (wire, ==, expected);
  g_clear_pointer (&wire, g_free);
  g_clear_pointer (&expected, g_free);

  wire = astring_wire (0, literal, -1);
  expected = g_strdup_printf ("{%u}\r\n%s", HERON_IMAP_QUOTED_MAX + 1, literal);
  g_assert_cmpstr (wire, ==, expected);
  g_clear_pointer (&wire, g_free);

  /* An atom has nothing to escape and stays an atom. */
  wire = astring_wire (0, atom, -1);
  g_assert_cmpstr (wire, ==, atom);
}

static void
test_string_and_nstring (void)
{
  HeronImapCommand *cmd = heron_imap_command_new ("X", 0);

  heron_imap_command_add_string (cmd, "abc");
  heron_imap_command_add_nstring (cmd, NULL);
  heron_imap_command_add_nstring (cmd, "NIL");
  heron_imap_command_add_string (cmd, "");
  heron_imap_command_add_string_list (cmd, STRV ("a", "b c"));
  heron_imap_command_add_string_list (cmd, NULL);
  heron_imap_command_add_number (cmd, G_MAXUINT32);
  heron_imap_command_add_number64 (cmd, G_MAXINT64);
  check (cmd, "t", "t X \"abc\" NIL \"NIL\" \"\" (\"a\" \"b c\") () 4294967295 9223372036854775807\r\n");
}

/* Literal modes */

static void
check_literal_mode (HeronImapLiteralMode mode,
                    gsize                size,
                    gboolean             expect_non_sync)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *data = g_strnfill (size, 'x');
  g_autoptr(GBytes) message = g_bytes_new (data, size);
  g_autoptr(HeronImapCommand) cmd = NULL;
  g_autoptr(GPtrArray) list = NULL;
  g_autoptr(GBytes) wire = NULL;
  g_autofree char *header = g_strdup_printf ("A1 APPEND INBOX {%zu%s}\r\n", size, expect_non_sync ? "+" : "");
  g_autofree char *expected = g_strconcat (header, data, "\r\n", NULL);
  guint i = 0;

  cmd = OK (heron_imap_command_new_append (0, "INBOX", NULL, NULL, message, HERON_IMAP_APPEND_FLAGS_NONE, &error));
  heron_imap_command_set_tag (cmd, "A1");

  wire = serialize (cmd, mode);
  assert_bytes (wire, expected, strlen (expected));

  list = segments (cmd, mode);
  g_assert_cmpuint (list->len, ==, expect_non_sync ? 3 : 4);
  assert_segment (list, i++, HERON_IMAP_SEGMENT_TEXT, header);
  if (!expect_non_sync)
    assert_segment (list, i++, HERON_IMAP_SEGMENT_WAIT_CONTINUATION, NULL);
  assert_segment (list, i++, HERON_IMAP_SEGMENT_LITERAL, data);
  assert_segment (list, i++, HERON_IMAP_SEGMENT_TEXT, "\r\n");
}

static void
test_literal_sync (void)
{
  check_literal_mode (SYNC, 0, FALSE);
  check_literal_mode (SYNC, 4096, FALSE);
  check_literal_mode (SYNC, 4097, FALSE);
}

static void
test_literal_plus (void)
{
  check_literal_mode (PLUS, 0, TRUE);
  check_literal_mode (PLUS, 4096, TRUE);
  check_literal_mode (PLUS, 4097, TRUE);
}

static void
test_literal_minus (void)
{
  check_literal_mode (MINUS, 0, TRUE);
  check_literal_mode (MINUS, 4096, TRUE);
  check_literal_mode (MINUS, 4097, FALSE);
}

/* A literal that must not wait: an error where the server cannot take it that way. */
static void
test_literal_forced_non_sync (void)
{
  static const struct {
    HeronImapLiteralMode mode;
    gsize size;
    int error_code; /* -1: fine */
  } cases[] = {
    { SYNC, 0, HERON_IMAP_ERROR_UNSUPPORTED },
    { SYNC, 4097, HERON_IMAP_ERROR_UNSUPPORTED },
    { MINUS, 0, -1 },
    { MINUS, 4096, -1 },
    { MINUS, 4097, HERON_IMAP_ERROR_LIMIT },
    { PLUS, 4097, -1 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(HeronImapCommand) cmd = heron_imap_command_new ("X", 0);
      g_autofree char *data = g_strnfill (cases[i].size, 'y');
      g_autoptr(GBytes) bytes = g_bytes_new (data, cases[i].size);
      g_autoptr(GError) error = NULL;
      g_autoptr(GPtrArray) list = NULL;

      heron_imap_command_add_literal (cmd, bytes, HERON_IMAP_LITERAL_NON_SYNC);
      heron_imap_command_set_tag (cmd, "t");
      list = heron_imap_command_get_segments (cmd, cases[i].mode, &error);

      if (cases[i].error_code < 0)
        {
          g_autofree char *header = g_strdup_printf ("t X {%zu+}\r\n", cases[i].size);

          g_assert_no_error (error);
          g_assert_cmpuint (list->len, ==, 3);
          assert_segment (list, 0, HERON_IMAP_SEGMENT_TEXT, header);
        }
      else
        {
          g_assert_null (list);
          g_assert_error (error, HERON_IMAP_ERROR, cases[i].error_code);
        }
    }
}

/* literal8 (RFC 3516), for APPEND with BINARY: may hold NUL; "~{n+}" with LITERAL+/- (RFC 4466,
 * RFC 7888 section 6). */
static void
test_literal_binary (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) data = g_bytes_new_static ("a\0b\xff\n", 5);

  {
    g_autoptr(HeronImapCommand) cmd = OK (heron_imap_command_new_append (0, "INBOX", NULL, NULL, data, HERON_IMAP_APPEND_BINARY,
                                                                         &error));
    g_autoptr(GBytes) wire = NULL;
    static const char expected[] = "A1 APPEND INBOX ~{5+}\r\na\0b\xff\n\r\n";

    heron_imap_command_set_tag (cmd, "A1");
    wire = serialize (cmd, PLUS);
    assert_bytes (wire, expected, sizeof expected - 1);
    g_clear_pointer (&wire, g_bytes_unref);
    wire = serialize (cmd, SYNC);
    assert_bytes (wire, "A1 APPEND INBOX ~{5}\r\na\0b\xff\n\r\n", sizeof expected - 2);
  }

  /* Not binary: NUL cannot go in a literal. */
  expect_error (heron_imap_command_new_append (0, "INBOX", NULL, NULL, data, HERON_IMAP_APPEND_FLAGS_NONE, &error), &error,
                HERON_IMAP_ERROR_INVALID);
}

/* RFC 6855 section 4: with UTF8=ACCEPT a message whose header has 8-bit octets goes as
 * "UTF8 (~{n})"; without it, or with a 7-bit header (8-bit only in the body), a plain literal. */
static void
test_rfc6855_append_utf8 (void)
{
  g_autoptr(GError) error = NULL;
  static const char message_8bit[] = "Subject: Gr\xc3\xbc\xc3\x9f" "e\r\n\r\nHi\r\n";
  static const char message_body_8bit[] = "Subject: Hi\r\n\r\nGr\xc3\xbc\xc3\x9f" "e\r\n";
  g_autoptr(GBytes) header_8bit = g_bytes_new_static (message_8bit, sizeof message_8bit - 1);
  g_autoptr(GBytes) body_8bit = g_bytes_new_static (message_body_8bit, sizeof message_body_8bit - 1);
  g_autoptr(GBytes) wire = NULL;
  g_autofree char *expected = NULL;

  {
    g_autoptr(HeronImapCommand) cmd = OK (heron_imap_command_new_append (UTF8, "INBOX", NULL, NULL, header_8bit,
                                                                         HERON_IMAP_APPEND_FLAGS_NONE, &error));
    heron_imap_command_set_tag (cmd, "A1");
    expected = g_strconcat ("A1 APPEND INBOX UTF8 (~{24+}\r\n", message_8bit, ")\r\n", NULL);
    wire = serialize (cmd, PLUS);
    assert_bytes (wire, expected, strlen (expected));
    g_clear_pointer (&wire, g_bytes_unref);
    g_clear_pointer (&expected, g_free);
    expected = g_strconcat ("A1 APPEND INBOX UTF8 (~{24}\r\n", message_8bit, ")\r\n", NULL);
    wire = serialize (cmd, SYNC);
    assert_bytes (wire, expected, strlen (expected));
    g_clear_pointer (&wire, g_bytes_unref);
    g_clear_pointer (&expected, g_free);
  }

  /* Not enabled: the normal literal. */
  {
    g_autoptr(HeronImapCommand) cmd = OK (heron_imap_command_new_append (0, "INBOX", NULL, NULL, header_8bit,
                                                                         HERON_IMAP_APPEND_FLAGS_NONE, &error));
    heron_imap_command_set_tag (cmd, "A2");
    expected = g_strconcat ("A2 APPEND INBOX {24+}\r\n", message_8bit, "\r\n", NULL);
    wire = serialize (cmd, PLUS);
    assert_bytes (wire, expected, strlen (expected));
    g_clear_pointer (&wire, g_bytes_unref);
    g_clear_pointer (&expected, g_free);
  }

  /* Enabled, but only the body is 8-bit. */
  {
    g_autoptr(HeronImapCommand) cmd = OK (heron_imap_command_new_append (UTF8, "INBOX", STRV ("\\Seen"), NULL, body_8bit,
                                                                         HERON_IMAP_APPEND_FLAGS_NONE, &error));
    heron_imap_command_set_tag (cmd, "A3");
    expected = g_strconcat ("A3 APPEND INBOX (\\Seen) {24+}\r\n", message_body_8bit, "\r\n", NULL);
    wire = serialize (cmd, PLUS);
    assert_bytes (wire, expected, strlen (expected));
    g_clear_pointer (&wire, g_bytes_unref);
    g_clear_pointer (&expected, g_free);
  }

  /* A stream: the caller says its header is 8-bit. */
  {
    g_autoptr(GInputStream) stream = g_memory_input_stream_new_from_data (message_8bit, sizeof message_8bit - 1, NULL);
    g_autoptr(HeronImapCommand) cmd = OK (heron_imap_command_new_append_stream (UTF8, "INBOX", NULL, NULL, stream, 24,
                                                                                HERON_IMAP_APPEND_UTF8, &error));
    heron_imap_command_set_tag (cmd, "A4");
    expected = g_strconcat ("A4 APPEND INBOX UTF8 (~{24}\r\n", message_8bit, ")\r\n", NULL);
    wire = serialize (cmd, SYNC);
    assert_bytes (wire, expected, strlen (expected));
    g_clear_pointer (&wire, g_bytes_unref);
    g_clear_pointer (&expected, g_free);
  }

  /* Asking for the UTF8 form without UTF8=ACCEPT is refused. */
  {
    g_autoptr(GInputStream) stream = g_memory_input_stream_new_from_data (message_8bit, sizeof message_8bit - 1, NULL);
    expect_error (heron_imap_command_new_append_stream (0, "INBOX", NULL, NULL, stream, 24, HERON_IMAP_APPEND_UTF8,
                                                        &error), &error, HERON_IMAP_ERROR_INVALID);
  }
}

/* APPEND from a stream: the segments hold the stream, not a copy of the message. */
static void
test_literal_stream (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GInputStream) stream = g_memory_input_stream_new_from_data (message_3501, 310, NULL);
  g_autoptr(GInputStream) short_stream = g_memory_input_stream_new_from_data ("abc", 3, NULL);
  g_autoptr(HeronImapCommand) cmd = NULL;
  g_autoptr(HeronImapCommand) broken = NULL;
  g_autoptr(GPtrArray) list = NULL;
  g_autoptr(GBytes) wire = NULL;
  g_autoptr(GDateTime) when = g_date_time_new_from_iso8601 ("1994-02-07T21:52:25-08:00", NULL);
  const HeronImapSegment *literal;
  g_autofree char *expected = g_strconcat ("A003 APPEND saved-messages (\\Seen) \" 7-Feb-1994 21:52:25 -0800\" "
                                           "{310+}\r\n", message_3501, "\r\n", NULL);
  g_autofree char *log = NULL;

  cmd = OK (heron_imap_command_new_append_stream (0, "saved-messages", STRV ("\\Seen"), when, stream, 310,
                                                  HERON_IMAP_APPEND_FLAGS_NONE, &error));
  heron_imap_command_set_tag (cmd, "A003");

  list = segments (cmd, PLUS);
  g_assert_cmpuint (list->len, ==, 3);
  literal = g_ptr_array_index (list, 1);
  g_assert_cmpint (literal->kind, ==, HERON_IMAP_SEGMENT_LITERAL);
  g_assert_null (literal->bytes);
  g_assert_true (literal->stream == stream);
  g_assert_cmpuint (literal->size, ==, 310);

  wire = serialize (cmd, PLUS);
  assert_bytes (wire, expected, strlen (expected));

  log = heron_imap_command_to_log_string (cmd);
  g_assert_cmpstr (log, ==, "A003 APPEND saved-messages (\\Seen) \" 7-Feb-1994 21:52:25 -0800\" {310 bytes}");

  /* A stream shorter than announced fails instead of sending a short literal. */
  broken = OK (heron_imap_command_new_append_stream (0, "INBOX", NULL, NULL, short_stream, 10, HERON_IMAP_APPEND_FLAGS_NONE, &error));
  heron_imap_command_set_tag (broken, "A004");
  g_assert_null (heron_imap_command_serialize_all (broken, PLUS, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_PARTIAL_INPUT);
}

/* Mailbox names */

static void
check_mailbox (HeronImapCommandFlags  flags,
               const char            *name,
               const char            *expected)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *line = g_strconcat ("t SELECT ", expected, "\r\n", NULL);

  check (OK (heron_imap_command_new_select (flags, name, NULL, &error)), "t", line);
}

/* RFC 3501 section 5.1.3: a name mixing English, Chinese and Japanese. */
static void
test_mailbox_utf7 (void)
{
  g_autoptr(GError) error = NULL;

  check_mailbox (0, "~peter/mail/台北/日本語", "~peter/mail/&U,BTFw-/&ZeVnLIqe-");
  check_mailbox (0, "a&b", "a&-b");
  check_mailbox (0, "Entwürfe", "Entw&APw-rfe");
  check_mailbox (0, "Gesendete Objekte", "\"Gesendete Objekte\"");
  check (OK (heron_imap_command_new_rename (0, "Entwürfe", "台北", &error)), "t",
         "t RENAME Entw&APw-rfe &U,BTFw-\r\n");
  check (OK (heron_imap_command_new_list (0, "", STRV ("台北/%"), 0, 0, NULL, &error)), "t",
         "t LIST \"\" &U,BTFw-/%\r\n");
}

/* With UTF8=ACCEPT names go as UTF-8 (RFC 6855 section 3): quoted, since atoms are ASCII. */
static void
test_mailbox_utf8_accept (void)
{
  check_mailbox (UTF8, "~peter/mail/台北/日本語", "\"~peter/mail/台北/日本語\"");
  check_mailbox (UTF8, "a&b", "a&b");
  check_mailbox (UTF8, "plain", "plain");
}

static void
test_mailbox_inbox (void)
{
  check_mailbox (0, "INBOX", "INBOX");
  check_mailbox (0, "inbox", "INBOX");
  check_mailbox (0, "iNbOx", "INBOX");
  check_mailbox (0, "INBOX.Sent", "INBOX.Sent");
  check_mailbox (0, "inbox.Sent", "inbox.Sent");
  check_mailbox (0, "Inboxes", "Inboxes");
}

static void
test_mailbox_invalid (void)
{
  g_autoptr(GError) error = NULL;

  expect_error (heron_imap_command_new_select (0, "", NULL, &error), &error, HERON_IMAP_ERROR_INVALID);
  expect_error (heron_imap_command_new_create (UTF8, "", NULL, &error), &error, HERON_IMAP_ERROR_INVALID);
  expect_error (heron_imap_command_new_rename (0, "a", "", &error), &error, HERON_IMAP_ERROR_INVALID);
  expect_error (heron_imap_command_new_delete (0, "caf\xe9", &error), &error, HERON_IMAP_ERROR_INVALID);
  expect_error (heron_imap_command_new_select (UTF8, "caf\xe9", NULL, &error), &error,
                HERON_IMAP_ERROR_INVALID);
}

/* Dates: RFC 3501 date (SEARCH) and date-time (APPEND) */
static void
test_dates (void)
{
  HeronImapCommand *cmd = heron_imap_command_new ("X", 0);
  g_autoptr(GTimeZone) india = g_time_zone_new_offset (5 * 3600 + 30 * 60);
  g_autoptr(GTimeZone) pst = g_time_zone_new_offset (-8 * 3600);
  g_autoptr(GDateTime) a = g_date_time_new (india, 2024, 12, 17, 9, 5, 3);
  g_autoptr(GDateTime) b = g_date_time_new (pst, 1994, 2, 7, 21, 52, 25);
  g_autoptr(GDateTime) c = g_date_time_new_utc (999, 1, 1, 0, 0, 0);

  heron_imap_command_add_date (cmd, b);
  heron_imap_command_add_date (cmd, a);
  heron_imap_command_add_date (cmd, c);
  heron_imap_command_add_date_time (cmd, b);
  heron_imap_command_add_date_time (cmd, a);
  heron_imap_command_add_date_time (cmd, c);
  check (cmd, "t",
         "t X 7-Feb-1994 17-Dec-2024 1-Jan-0999 \" 7-Feb-1994 21:52:25 -0800\" \"17-Dec-2024 09:05:03 +0530\" "
         "\" 1-Jan-0999 00:00:00 +0000\"\r\n");
}

/* Tags */

static guint32
tag_number (const char *tag)
{
  return (guint32) g_ascii_strtoull (tag + 1, NULL, 10);
}

static void
test_tags_unique_monotonic (void)
{
  g_autoptr(HeronImapTagGenerator) generator = heron_imap_tag_generator_new ('A');
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(HeronImapCommand) cmd = heron_imap_command_new_noop ();
  guint32 previous = 0;

  for (guint i = 0; i < 100000; i++)
    {
      char *tag = heron_imap_tag_generator_next (generator);

      if (i == 0)
        g_assert_cmpstr (tag, ==, "A0001");
      else if (i == 9998)
        g_assert_cmpstr (tag, ==, "A9999");
      else if (i == 9999)
        g_assert_cmpstr (tag, ==, "A10000");

      g_assert_cmpuint (tag_number (tag), >, previous);
      previous = tag_number (tag);
      g_assert_false (g_hash_table_contains (seen, tag));
      g_hash_table_add (seen, tag);
    }

  /* A command takes the next tag. */
  g_assert_cmpstr (heron_imap_command_assign_tag (cmd, generator), ==, "A100001");
  g_assert_cmpstr (heron_imap_command_get_tag (cmd), ==, "A100001");
  check (g_steal_pointer (&cmd), NULL, "A100001 NOOP\r\n");
}

/* At the end of the counter the prefix moves on, so a tag does not come back. */
static void
test_tags_wrap (void)
{
  g_autoptr(HeronImapTagGenerator) a = heron_imap_tag_generator_new_full ('A', G_MAXUINT32 - 1);
  g_autoptr(HeronImapTagGenerator) z = heron_imap_tag_generator_new_full ('Z', G_MAXUINT32);
  g_autofree char *a1 = heron_imap_tag_generator_next (a);
  g_autofree char *a2 = heron_imap_tag_generator_next (a);
  g_autofree char *a3 = heron_imap_tag_generator_next (a);
  g_autofree char *z1 = heron_imap_tag_generator_next (z);
  g_autofree char *z2 = heron_imap_tag_generator_next (z);

  g_assert_cmpstr (a1, ==, "A4294967294");
  g_assert_cmpstr (a2, ==, "A4294967295");
  g_assert_cmpstr (a3, ==, "B0001");
  g_assert_cmpstr (z1, ==, "Z4294967295");
  g_assert_cmpstr (z2, ==, "A0001");
}

/* Redaction */

static void
assert_no_byte_of (const char *log,
                   const char *secret,
                   gsize       secret_len)
{
  for (gsize i = 0; i < secret_len; i++)
    if (strchr (log, secret[i]) != NULL)
      g_error ("byte 0x%02x of the secret is in the log line “%s”", (guchar) secret[i], log);
}

/* Every segment that carries the secret says so, for a connection that logs segments. */
static void
assert_secret_segments (HeronImapCommand     *cmd,
                        HeronImapLiteralMode  mode,
                        const char           *secret)
{
  g_autoptr(GPtrArray) list = segments (cmd, mode);
  gboolean found = FALSE;

  for (guint i = 0; i < list->len; i++)
    {
      const HeronImapSegment *segment = g_ptr_array_index (list, i);

      if (segment->bytes != NULL && contains_bytes (segment->bytes, secret, strlen (secret)))
        {
          g_assert_true (segment->secret);
          found = TRUE;
        }
    }

  g_assert_true (found);
}

/* Passwords that go as an atom, a quoted string with escapes, a literal for 8-bit, for CR/LF and
 * for length; in every literal mode, with and without UTF8=ACCEPT. No byte of any of them is in
 * "A1 LOGIN joe <redacted>". */
static void
test_redaction_login (void)
{
  g_autofree char *long_secret = g_strnfill (2000, '%');
  /* Each secret, and how it shows on the wire. */
  const struct {
    const char *secret;
    const char *wire;
  } secrets[] = {
    { "ZQ#", "ZQ#" },
    { "ZQ\"#\\%", "\"ZQ\\\"#\\\\%\"" },
    { "ZQ\xc3\xbc#", "ZQ\xc3\xbc#" },
    { "ZQ\r\n#", "ZQ\r\n#" },
    { "\\\"", "\"\\\\\\\"\"" },
    { long_secret, long_secret },
  };
  static const HeronImapLiteralMode modes[] = { SYNC, PLUS, MINUS };
  static const HeronImapCommandFlags flags[] = { 0, UTF8 };

  for (guint s = 0; s < G_N_ELEMENTS (secrets); s++)
    for (guint f = 0; f < G_N_ELEMENTS (flags); f++)
      {
        g_autoptr(GError) error = NULL;
        g_autoptr(HeronImapCommand) cmd = OK (heron_imap_command_new_login (flags[f], "joe", secrets[s].secret,
                                                                            &error));
        g_autofree char *log = NULL;

        heron_imap_command_set_tag (cmd, "A1");
        log = heron_imap_command_to_log_string (cmd);
        g_assert_cmpstr (log, ==, "A1 LOGIN joe <redacted>");
        assert_no_byte_of (log, secrets[s].secret, strlen (secrets[s].secret));

        for (guint m = 0; m < G_N_ELEMENTS (modes); m++)
          {
            g_autoptr(GBytes) wire = serialize (cmd, modes[m]);

            /* The secret is sent, and whatever carries it is marked secret. */
            g_assert_true (contains_bytes (wire, secrets[s].wire, strlen (secrets[s].wire)));
            assert_secret_segments (cmd, modes[m], secrets[s].wire);
          }
      }

  /* A user name that needs a literal is shown by size only; the password still not at all. */
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(HeronImapCommand) cmd = OK (heron_imap_command_new_login (0, "jo\xc3\xab", "ZQ\r\n", &error));
    g_autofree char *log = heron_imap_command_to_log_string (cmd);

    g_assert_cmpstr (log, ==, "- LOGIN {4 bytes} <redacted>");
  }
}

static void
test_redaction_authenticate (void)
{
  g_autoptr(GError) error = NULL;
  static const char raw[] = "\0joe\0ZQ\"#";
  g_autoptr(GBytes) response = g_bytes_new_static (raw, sizeof raw - 1);
  g_autofree char *base64 = g_base64_encode ((const guchar *) raw, sizeof raw - 1);
  g_autoptr(HeronImapCommand) with_ir = OK (heron_imap_command_new_authenticate (SASL_IR, "PLAIN", response, &error));
  g_autoptr(HeronImapCommand) without_ir = OK (heron_imap_command_new_authenticate (0, "PLAIN", response, &error));
  g_autoptr(HeronImapCommand) noop = heron_imap_command_new_noop ();
  g_autoptr(HeronImapCommand) answer = heron_imap_command_new_sasl_response (response);
  g_autoptr(HeronImapCommand) cancel = heron_imap_command_new_sasl_cancel ();
  g_autofree char *log_with = NULL;
  g_autofree char *log_without = NULL;
  g_autofree char *log_answer = NULL;
  g_autofree char *log_cancel = NULL;
  g_autofree char *continuation = NULL;
  g_autofree char *plain_line = NULL;
  g_autofree char *wire = g_strconcat ("A1 AUTHENTICATE PLAIN ", base64, "\r\n", NULL);
  g_autofree char *answer_wire = g_strconcat (base64, "\r\n", NULL);

  heron_imap_command_set_tag (with_ir, "A1");
  heron_imap_command_set_tag (without_ir, "A2");

  log_with = heron_imap_command_to_log_string (with_ir);
  log_without = heron_imap_command_to_log_string (without_ir);
  g_assert_cmpstr (log_with, ==, "A1 AUTHENTICATE PLAIN <redacted>");
  g_assert_cmpstr (log_without, ==, "A2 AUTHENTICATE PLAIN [+] <redacted>");
  g_assert_null (strstr (log_with, base64));
  g_assert_null (strstr (log_without, base64));
  assert_no_byte_of (log_with, "ZQ\"#", 4);
  assert_no_byte_of (log_without, "ZQ\"#", 4);

  check (g_steal_pointer (&with_ir), NULL, wire);

  /* Every line the client sends during AUTHENTICATE, whatever it holds. */
  continuation = heron_imap_command_continuation_to_log_string (without_ir, "dGVzdA==\r\n", -1);
  g_assert_cmpstr (continuation, ==, "<redacted>");
  g_clear_pointer (&continuation, g_free);
  continuation = heron_imap_command_continuation_to_log_string (without_ir, "*", -1);
  g_assert_cmpstr (continuation, ==, "<redacted>");
  plain_line = heron_imap_command_continuation_to_log_string (noop, "DONE\r\n", -1);
  g_assert_cmpstr (plain_line, ==, "DONE");

  /* The answer to a challenge, as a command of its own. */
  log_answer = heron_imap_command_to_log_string (answer);
  g_assert_cmpstr (log_answer, ==, "<redacted>");
  g_assert_false (heron_imap_command_is_tagged (answer));
  assert_secret_segments (answer, SYNC, base64);
  check (g_steal_pointer (&answer), NULL, answer_wire);

  log_cancel = heron_imap_command_to_log_string (cancel);
  g_assert_cmpstr (log_cancel, ==, "*");
  check (g_steal_pointer (&cancel), NULL, "*\r\n");
}

static void
test_redaction_literals (void)
{
  g_autoptr(HeronImapCommand) append = append_example (message_3501);
  g_autoptr(HeronImapCommand) search_cmd = search (0, FALSE, NULL, "UTF-8", "TEXT|\"отпуск");
  g_autoptr(HeronImapCommand) secret = heron_imap_command_new ("X", 0);
  g_autoptr(GBytes) data = g_bytes_new_static ("hush", 4);
  g_autofree char *log_append = NULL;
  g_autofree char *log_search = NULL;
  g_autofree char *log_secret = NULL;

  heron_imap_command_set_tag (append, "A003");
  log_append = heron_imap_command_to_log_string (append);
  g_assert_cmpstr (log_append, ==, "A003 APPEND saved-messages (\\Seen) {310 bytes}");

  heron_imap_command_set_tag (search_cmd, "A285");
  log_search = heron_imap_command_to_log_string (search_cmd);
  g_assert_cmpstr (log_search, ==, "A285 SEARCH CHARSET UTF-8 TEXT {12 bytes}");

  heron_imap_command_add_literal (secret, data, HERON_IMAP_LITERAL_SECRET);
  heron_imap_command_add_secret (secret, "quiet words");
  heron_imap_command_add_atom (secret, "END");
  log_secret = heron_imap_command_to_log_string (secret);
  g_assert_cmpstr (log_secret, ==, "- X <redacted> <redacted> END");

  /* Control characters never reach a log line. */
  {
    g_autoptr(HeronImapCommand) cmd = heron_imap_command_new ("X", 0);
    g_autofree char *log = NULL;

    heron_imap_command_add_astring (cmd, "a\tb\x1b[31m");
    log = heron_imap_command_to_log_string (cmd);
    g_assert_cmpstr (log, ==, "- X \"a?b?[31m\"");
  }
}

/* Errors */

static void
test_errors (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) nul = g_bytes_new_static ("a\0", 2);
  HeronImapSelectParams zero_modseq = { .qresync_uidvalidity = 5, .qresync_modseq = 0 };
  HeronImapSelectParams star_known = { .qresync_uidvalidity = 5, .qresync_modseq = 9,
                                       .qresync_known_uids = U ("1:*") };
  HeronImapSelectParams half_match = { .qresync_uidvalidity = 5, .qresync_modseq = 9,
                                       .qresync_match_seqs = S ("1:3") };
  HeronImapSelectParams uneven_match = { .qresync_uidvalidity = 5, .qresync_modseq = 9,
                                         .qresync_match_seqs = S ("1:3"), .qresync_match_uids = U ("7,9") };
  HeronImapSelectParams swapped_match = { .qresync_uidvalidity = 5, .qresync_modseq = 9,
                                          .qresync_match_seqs = U ("1:2"), .qresync_match_uids = S ("7,9") };
  g_autoptr(HeronImapUidSet) empty = heron_imap_uid_set_new (HERON_IMAP_SET_UID);
  g_autofree char *long_field = g_strnfill (31, 'f');
  HeronImapCommand *cmd;

  /* Atoms where only atoms are allowed. */
  expect_error (heron_imap_command_new_enable (STRV ("CONDSTORE", "BAD ATOM"), &error), &error,
                HERON_IMAP_ERROR_INVALID);
  expect_error (heron_imap_command_new_enable (STRV (NULL), &error), &error, HERON_IMAP_ERROR_INVALID);
  expect_error (heron_imap_command_new_authenticate (0, "PL(AIN", NULL, &error), &error, HERON_IMAP_ERROR_INVALID);
  expect_error (heron_imap_command_new_status (0, "INBOX", STRV ("MESSAGES", "UN SEEN"), &error), &error,
                HERON_IMAP_ERROR_INVALID);
  expect_error (heron_imap_command_new_status (0, "INBOX", STRV (NULL), &error), &error, HERON_IMAP_ERROR_INVALID);
  expect_error (heron_imap_command_new_store (U ("1"), HERON_IMAP_STORE_ADD, FALSE, STRV ("\\Se en"), NO_MODSEQ,
                                              &error), &error, HERON_IMAP_ERROR_INVALID);
  expect_error (heron_imap_command_new_store (U ("1"), HERON_IMAP_STORE_ADD, FALSE, STRV ("\\"), NO_MODSEQ,
                                              &error), &error, HERON_IMAP_ERROR_INVALID);
  expect_error (heron_imap_command_new_create (0, "X", STRV ("Drafts"), &error), &error, HERON_IMAP_ERROR_INVALID);

  /* Sets. */
  expect_error (heron_imap_command_new_fetch (empty, STRV ("FLAGS"), NO_MODSEQ, FALSE, &error), &error,
                HERON_IMAP_ERROR_INVALID);
  expect_error (heron_imap_command_new_fetch (U ("1"), STRV (NULL), NO_MODSEQ, FALSE, &error), &error,
                HERON_IMAP_ERROR_INVALID);
  expect_error (heron_imap_command_new_fetch (U ("1"), STRV ("FLAGS\r\n"), NO_MODSEQ, FALSE, &error), &error,
                HERON_IMAP_ERROR_INVALID);
  expect_error (heron_imap_command_new_uid_expunge (S ("1:3"), &error), &error, HERON_IMAP_ERROR_INVALID);

  /* CONDSTORE and QRESYNC (RFC 7162 sections 3.2.6 and 7). */
  expect_error (heron_imap_command_new_fetch (U ("1"), STRV ("FLAGS"), NO_MODSEQ, TRUE, &error), &error,
                HERON_IMAP_ERROR_INVALID);
  expect_error (heron_imap_command_new_fetch (S ("1"), STRV ("FLAGS"), 5, TRUE, &error), &error,
                HERON_IMAP_ERROR_INVALID);
  expect_error (heron_imap_command_new_fetch (U ("1"), STRV ("FLAGS"), 0, FALSE, &error), &error,
                HERON_IMAP_ERROR_INVALID);
  expect_error (heron_imap_command_new_fetch (U ("1"), STRV ("FLAGS"), (guint64) G_MAXINT64 + 1, FALSE, &error),
                &error, HERON_IMAP_ERROR_INVALID);
  expect_error (heron_imap_command_new_store (U ("1"), HERON_IMAP_STORE_ADD, FALSE, NULL, (guint64) G_MAXINT64 + 1,
                                              &error), &error, HERON_IMAP_ERROR_INVALID);
  expect_error (heron_imap_command_new_select (0, "INBOX", &zero_modseq, &error), &error, HERON_IMAP_ERROR_INVALID);
  expect_error (heron_imap_command_new_select (0, "INBOX", &star_known, &error), &error, HERON_IMAP_ERROR_INVALID);
  expect_error (heron_imap_command_new_select (0, "INBOX", &half_match, &error), &error, HERON_IMAP_ERROR_INVALID);
  expect_error (heron_imap_command_new_examine (0, "INBOX", &uneven_match, &error), &error,
                HERON_IMAP_ERROR_INVALID);
  expect_error (heron_imap_command_new_examine (0, "INBOX", &swapped_match, &error), &error,
                HERON_IMAP_ERROR_INVALID);

  /* LIST */
  expect_error (heron_imap_command_new_list (0, "", STRV (NULL), 0, 0, NULL, &error), &error,
                HERON_IMAP_ERROR_INVALID);
  expect_error (heron_imap_command_new_list (0, "", STRV ("*"), HERON_IMAP_LIST_SELECT_RECURSIVEMATCH, 0, NULL,
                                             &error), &error, HERON_IMAP_ERROR_INVALID);
  expect_error (heron_imap_command_new_list (0, "", STRV ("*"), HERON_IMAP_LIST_SELECT_RECURSIVEMATCH |
                                             HERON_IMAP_LIST_SELECT_REMOTE, 0, NULL, &error), &error,
                HERON_IMAP_ERROR_INVALID);

  /* ID (RFC 2971 section 3.3) */
  expect_error (heron_imap_command_new_id (0, STRV ("name"), &error), &error, HERON_IMAP_ERROR_INVALID);
  expect_error (heron_imap_command_new_id (0, STRV (long_field, "x"), &error), &error, HERON_IMAP_ERROR_LIMIT);

  /* SEARCH */
  expect_error (heron_imap_command_new_search (0, TRUE, NULL, NULL, criteria (0, "TEXT|\"отпуск"), &error), &error,
                HERON_IMAP_ERROR_UNSUPPORTED);
  {
    g_autoptr(HeronImapCommand) nothing = heron_imap_command_new_fragment (0);

    expect_error (heron_imap_command_new_search (0, TRUE, NULL, NULL, nothing, &error), &error,
                  HERON_IMAP_ERROR_INVALID);
  }
  check (search (UTF8, TRUE, NULL, NULL, "TEXT|\"отпуск"), "t", "t UID SEARCH TEXT \"отпуск\"\r\n");

  /* Raw text and sizes. */
  cmd = heron_imap_command_new ("X", 0);
  heron_imap_command_add_raw (cmd, "caf\xc3\xa9");
  g_assert_false (heron_imap_command_check (cmd, &error));
  g_assert_error (error, HERON_IMAP_ERROR, HERON_IMAP_ERROR_INVALID);
  g_clear_error (&error);
  heron_imap_command_unref (cmd);

  cmd = heron_imap_command_new ("X", 0);
  heron_imap_command_add_number64 (cmd, G_MAXUINT64 - 1);
  g_assert_false (heron_imap_command_check (cmd, &error));
  g_assert_error (error, HERON_IMAP_ERROR, HERON_IMAP_ERROR_LIMIT);
  g_clear_error (&error);
  /* Later arguments change nothing: the first error stands. */
  heron_imap_command_add_atom (cmd, "a b");
  g_assert_false (heron_imap_command_check (cmd, &error));
  g_assert_error (error, HERON_IMAP_ERROR, HERON_IMAP_ERROR_LIMIT);
  g_clear_error (&error);
  heron_imap_command_unref (cmd);

  {
    g_autoptr(GInputStream) stream = g_memory_input_stream_new ();

    expect_error (heron_imap_command_new_append_stream (0, "INBOX", NULL, NULL, stream, (guint64) G_MAXUINT32 + 1,
                                                        HERON_IMAP_APPEND_BINARY, &error), &error, HERON_IMAP_ERROR_LIMIT);
  }

  expect_error (heron_imap_command_new_append (0, "INBOX", STRV ("\\Seen", "bad flag"), NULL, nul, HERON_IMAP_APPEND_BINARY, &error),
                &error, HERON_IMAP_ERROR_INVALID);

  /* Unbalanced parentheses. */
  cmd = heron_imap_command_new ("X", 0);
  heron_imap_command_begin_list (cmd);
  heron_imap_command_set_tag (cmd, "t");
  g_assert_null (heron_imap_command_serialize_all (cmd, SYNC, &error));
  g_assert_error (error, HERON_IMAP_ERROR, HERON_IMAP_ERROR_INVALID);
  g_clear_error (&error);
  heron_imap_command_unref (cmd);
}

/* A fragment keeps its literals and secrets when added to a command. */
static void
test_fragment (void)
{
  g_autoptr(HeronImapCommand) fragment = heron_imap_command_new_fragment (0);
  g_autoptr(HeronImapCommand) cmd = heron_imap_command_new ("X", 0);
  g_autoptr(GBytes) wire = NULL;
  g_autofree char *log = NULL;
  const char *expected = "t X A (B {3}\r\nc\nd \"e f\") G\r\n";

  heron_imap_command_add_atom (fragment, "B");
  heron_imap_command_add_string (fragment, "c\nd");
  heron_imap_command_add_secret (fragment, "e f");

  heron_imap_command_add_atom (cmd, "A");
  heron_imap_command_begin_list (cmd);
  heron_imap_command_add_fragment (cmd, fragment);
  heron_imap_command_end_list (cmd);
  heron_imap_command_add_atom (cmd, "G");
  heron_imap_command_set_tag (cmd, "t");

  wire = serialize (cmd, SYNC);
  assert_bytes (wire, expected, strlen (expected));
  log = heron_imap_command_to_log_string (cmd);
  g_assert_cmpstr (log, ==, "t X A (B {3 bytes} <redacted>) G");
  g_assert_cmpstr (heron_imap_command_get_name (cmd), ==, "X");
  g_assert_null (heron_imap_command_get_name (fragment));
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/heron/imap/command/rfc3501/any-state", test_rfc3501_any_state);
  g_test_add_func ("/heron/imap/command/rfc3501/not-authenticated", test_rfc3501_not_authenticated);
  g_test_add_func ("/heron/imap/command/rfc3501/authenticated", test_rfc3501_authenticated);
  g_test_add_func ("/heron/imap/command/rfc3501/selected", test_rfc3501_selected);
  g_test_add_func ("/heron/imap/command/rfc3501/experimental", test_rfc3501_experimental);
  g_test_add_func ("/heron/imap/command/rfc3501/literal-continuation", test_rfc3501_literal_continuation);
  g_test_add_func ("/heron/imap/command/rfc9051/any-state", test_rfc9051_any_state);
  g_test_add_func ("/heron/imap/command/rfc9051/not-authenticated", test_rfc9051_not_authenticated);
  g_test_add_func ("/heron/imap/command/rfc9051/authenticated", test_rfc9051_authenticated);
  g_test_add_func ("/heron/imap/command/rfc9051/list", test_rfc9051_list);
  g_test_add_func ("/heron/imap/command/rfc9051/namespace", test_rfc9051_namespace);
  g_test_add_func ("/heron/imap/command/rfc9051/status-append-idle", test_rfc9051_status_append_idle);
  g_test_add_func ("/heron/imap/command/rfc6855/append-utf8", test_rfc6855_append_utf8);
  g_test_add_func ("/heron/imap/command/rfc9051/search", test_rfc9051_search);
  g_test_add_func ("/heron/imap/command/rfc9051/selected", test_rfc9051_selected);
  g_test_add_func ("/heron/imap/command/rfc7162/condstore", test_rfc7162_condstore);
  g_test_add_func ("/heron/imap/command/rfc7162/qresync", test_rfc7162_qresync);
  g_test_add_func ("/heron/imap/command/rfc4315/uidplus", test_rfc4315);
  g_test_add_func ("/heron/imap/command/rfc7888/quoted-form", test_rfc7888);
  g_test_add_func ("/heron/imap/command/extensions", test_extensions);
  g_test_add_func ("/heron/imap/command/astring/atom", test_astring_atom);
  g_test_add_func ("/heron/imap/command/astring/quoted", test_astring_quoted);
  g_test_add_func ("/heron/imap/command/astring/literal", test_astring_literal);
  g_test_add_func ("/heron/imap/command/astring/nul", test_astring_nul);
  g_test_add_func ("/heron/imap/command/astring/8bit", test_astring_8bit);
  g_test_add_func ("/heron/imap/command/astring/long", test_astring_long);
  g_test_add_func ("/heron/imap/command/string-nstring", test_string_and_nstring);
  g_test_add_func ("/heron/imap/command/literal/sync", test_literal_sync);
  g_test_add_func ("/heron/imap/command/literal/plus", test_literal_plus);
  g_test_add_func ("/heron/imap/command/literal/minus", test_literal_minus);
  g_test_add_func ("/heron/imap/command/literal/forced-non-sync", test_literal_forced_non_sync);
  g_test_add_func ("/heron/imap/command/literal/binary", test_literal_binary);
  g_test_add_func ("/heron/imap/command/literal/stream", test_literal_stream);
  g_test_add_func ("/heron/imap/command/mailbox/utf7", test_mailbox_utf7);
  g_test_add_func ("/heron/imap/command/mailbox/utf8-accept", test_mailbox_utf8_accept);
  g_test_add_func ("/heron/imap/command/mailbox/inbox", test_mailbox_inbox);
  g_test_add_func ("/heron/imap/command/mailbox/invalid", test_mailbox_invalid);
  g_test_add_func ("/heron/imap/command/dates", test_dates);
  g_test_add_func ("/heron/imap/command/tags/unique-monotonic", test_tags_unique_monotonic);
  g_test_add_func ("/heron/imap/command/tags/wrap", test_tags_wrap);
  g_test_add_func ("/heron/imap/command/redaction/login", test_redaction_login);
  g_test_add_func ("/heron/imap/command/redaction/authenticate", test_redaction_authenticate);
  g_test_add_func ("/heron/imap/command/redaction/literals", test_redaction_literals);
  g_test_add_func ("/heron/imap/command/errors", test_errors);
  g_test_add_func ("/heron/imap/command/fragment", test_fragment);

  return g_test_run ();
}
