/* test-store-search.c: the full-text index and the safety of its query syntax
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "store/heron-store-private.h"
#include "store-test-util.h"

typedef struct {
  StoreTestDir *dir;
  HeronStore   *store;
  gint64        inbox;
  gint64        sent;
} Fixture;

static void
add_message (Fixture    *fixture,
             gint64      folder_id,
             guint32     uid,
             const char *subject,
             const char *from_name,
             const char *from_address,
             const char *to,
             const char *body)
{
  g_autoptr (GError) error = NULL;
  HeronStoreMessage *message = store_test_message (uid, subject, from_name, from_address, NULL, NULL, NULL);

  if (to != NULL)
    {
      g_free (message->to);
      message->to = g_strdup (to);
    }
  store_test_upsert (fixture->store, folder_id, message);
  heron_store_message_free (message);
  if (body != NULL)
    {
      heron_store_set_body_text (fixture->store, folder_id, uid, body, &error);
      g_assert_no_error (error);
    }
}

static void
fixture_set_up (Fixture      *fixture,
                gconstpointer data)
{
  fixture->dir = store_test_dir_new ();
  fixture->store = store_test_open (fixture->dir->path);
  fixture->inbox = store_test_add_folder (fixture->store, "INBOX");
  fixture->sent = store_test_add_folder (fixture->store, "Sent");

  add_message (fixture, fixture->inbox, 1, "Harbour meeting notes", "Jürgen Müller", "j.mueller@example.com", NULL,
               "The crème brûlée was excellent. See the attached minutes.");
  add_message (fixture, fixture->inbox, 2, "Budget 2025 draft", "Chloé Dubois", "chloe@corp.example.net", NULL,
               "Numbers for the next year, including travel.");
  add_message (fixture, fixture->inbox, 3, "this or that", "Bob", "bob@example.org", NULL,
               "Pick one: \"quoted words\" and C++ (with parentheses) AND stuff*");
  add_message (fixture, fixture->inbox, 4, "Weekly report", "MULLER Anna", "anna@example.org", "Team <team@lists.example.org>", NULL);
  add_message (fixture, fixture->sent, 1, "Re: Harbour meeting notes", "Alice", "alice@example.test",
               "Jürgen Müller <j.mueller@example.com>", "Thanks for the notes about the harbour.");
}

static void
fixture_tear_down (Fixture      *fixture,
                   gconstpointer data)
{
  g_clear_object (&fixture->store);
  store_test_dir_free (fixture->dir);
}

/* The hits as "folder:uid ..." in result order */
static char *
search (Fixture    *fixture,
        const char *query,
        gint64      folder_id)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GArray) hits = heron_store_search (fixture->store, query, folder_id, 100, &error);
  g_autoptr (GString) out = g_string_new (NULL);

  g_assert_no_error (error);
  for (guint i = 0; i < hits->len; i++)
    {
      HeronStoreMessageRef *ref = &g_array_index (hits, HeronStoreMessageRef, i);

      if (out->len > 0)
        g_string_append_c (out, ' ');
      g_string_append_printf (out, "%s:%" G_GINT64_FORMAT, ref->folder_id == fixture->inbox ? "in" : "sent", ref->uid);
    }
  return g_string_free (g_steal_pointer (&out), FALSE);
}

#define assert_search(fixture, query, folder, expected) \
  G_STMT_START { \
    char *_got = search ((fixture), (query), (folder)); \
    if (g_strcmp0 (_got, (expected)) != 0) \
      g_error ("search “%s”: got “%s”, expected “%s”", (query), _got, (expected)); \
    g_free (_got); \
  } G_STMT_END

static void
test_fields (Fixture      *fixture,
             gconstpointer data)
{
  /* sender name and address, newest first across folders */
  assert_search (fixture, "Jürgen", 0, "sent:1 in:1");
  assert_search (fixture, "j.mueller@example.com", 0, "sent:1 in:1");
  assert_search (fixture, "corp.example.net", 0, "in:2");
  /* recipients */
  assert_search (fixture, "team@lists.example.org", 0, "in:4");
  /* subject words, several words all needed */
  assert_search (fixture, "budget draft", 0, "in:2");
  assert_search (fixture, "budget harbour", 0, "");
  /* body words */
  assert_search (fixture, "minutes", 0, "in:1");
  assert_search (fixture, "travel", 0, "in:2");
  /* one folder */
  assert_search (fixture, "harbour", fixture->inbox, "in:1");
  assert_search (fixture, "harbour", fixture->sent, "sent:1");
  assert_search (fixture, "harbour", 0, "sent:1 in:1");
}

static void
test_prefix_and_phrase (Fixture      *fixture,
                        gconstpointer data)
{
  assert_search (fixture, "meet", 0, "sent:1 in:1");
  assert_search (fixture, "harb not", 0, "sent:1 in:1");
  /* two letters are a whole word, three a prefix */
  assert_search (fixture, "we", 0, "");
  assert_search (fixture, "wee", 0, "in:4");
  assert_search (fixture, "excel", 0, "in:1");
  /* a quoted phrase is exact and in order */
  assert_search (fixture, "\"meeting notes\"", 0, "sent:1 in:1");
  assert_search (fixture, "\"notes meeting\"", 0, "");
  assert_search (fixture, "\"meet\"", 0, "");
}

static void
test_non_ascii (Fixture      *fixture,
                gconstpointer data)
{
  /* case folding beyond ASCII, and accents do not matter */
  assert_search (fixture, "müller", 0, "in:4 sent:1 in:1");
  assert_search (fixture, "MÜLLER", 0, "in:4 sent:1 in:1");
  assert_search (fixture, "Muller", 0, "in:4 sent:1 in:1");
  assert_search (fixture, "chloe", 0, "in:2");
  assert_search (fixture, "CHLOÉ", 0, "in:2");
  assert_search (fixture, "creme brulee", 0, "in:1");
  assert_search (fixture, "crème", 0, "in:1");
}

/* Whatever a person types, the query is literal text and never an FTS5 error */
static void
test_hostile_input (Fixture      *fixture,
                    gconstpointer data)
{
  static const char * const inputs[] = {
    "\"", "\"\"", "\"\"\"", "\"unbalanced", "foo\" OR \"bar", "*", "**", "-", "- -", "^", "(", ")", "()",
    "NEAR(this that)", "NEAR", "AND", "OR", "NOT", "this AND", "AND this", "this NOT that",
    "subject:harbour", "{sender}:x", "sender : harbour", "'", "''", "a'b", "\\", "\\\"", ":", ";",
    "+", "C++", "stuff*", "col1 col2 : x", "\xff\xfe", "\t\n\r", "   ", "", "💡", "x\"y\"z",
    "a\"\"b", "NEAR(\"a\" \"b\", 2)", "\"a\" NEAR/3 \"b\"", "harbour)", "(harbour", "*harbour",
    "harbour**", "@", "@@@@", ".", "…", "–", "«guillemets»",
  };
  g_autoptr (GString) many = g_string_new (NULL);
  g_autoptr (GString) long_word = g_string_new (NULL);

  for (guint i = 0; i < G_N_ELEMENTS (inputs); i++)
    {
      g_autoptr (GError) error = NULL;
      g_autoptr (GArray) hits = heron_store_search (fixture->store, inputs[i], 0, 100, &error);

      g_assert_no_error (error);
      g_assert_nonnull (hits);
    }

  /* Operators are words: "or" is searched as the word "or" */
  assert_search (fixture, "\"or\"", 0, "in:3");
  assert_search (fixture, "or", 0, "in:3");
  assert_search (fixture, "this OR nothing", 0, "");
  assert_search (fixture, "this OR that", 0, "in:3");
  assert_search (fixture, "\"NOT\"", 0, "");
  assert_search (fixture, "NOT", 0, "sent:1 in:1");
  /* Quotes in text are searched as a phrase of the words inside */
  assert_search (fixture, "\"quoted words\"", 0, "in:3");
  assert_search (fixture, "C++ parentheses", 0, "in:3");
  assert_search (fixture, "(with parentheses)", 0, "in:3");
  assert_search (fixture, "stuff*", 0, "in:3");
  assert_search (fixture, "subject:harbour", 0, "");
  /* A word without letters does not empty the rest */
  assert_search (fixture, "harbour - ( )", fixture->inbox, "in:1");

  /* Pasted text is bounded, not an error */
  for (guint i = 0; i < 5000; i++)
    g_string_append (many, "zebra ");
  for (guint i = 0; i < 10000; i++)
    g_string_append_c (long_word, 'x');
  {
    g_autoptr (GError) error = NULL;
    g_autoptr (GArray) hits = heron_store_search (fixture->store, many->str, 0, 10, &error);
    g_autoptr (GArray) more = heron_store_search (fixture->store, long_word->str, 0, 10, &error);

    g_assert_no_error (error);
    g_assert_cmpuint (hits->len, ==, 0);
    g_assert_cmpuint (more->len, ==, 0);
  }
}

static void
test_query_syntax (void)
{
  static const struct {
    const char *input;
    const char *expected;
  } cases[] = {
    { "hello", "\"hello\"*" },
    { "hello world", "\"hello\"* AND \"world\"*" },
    { "\"hello world\"", "\"hello world\"" },
    { "abc\"def", "\"abc\"* AND \"def\"" },
    /* one or two letters are a whole word, not a prefix */
    { "a bc def", "\"a\" AND \"bc\" AND \"def\"*" },
    { "  \"unbalanced phrase", "\"unbalanced phrase\"" },
    { "AND OR NOT", "\"AND\"* AND \"OR\" AND \"NOT\"*" },
    { "- * ( )", NULL },
    { "", NULL },
    { "\"\"", NULL },
    { "x:y", "\"x:y\"*" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *query = _heron_store_search_build_query (cases[i].input);

      g_assert_cmpstr (query, ==, cases[i].expected);
    }
}

static void
test_limit_and_order (Fixture      *fixture,
                      gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GArray) hits = NULL;

  store_test_fill (fixture->store, fixture->inbox, 100, 400);
  hits = heron_store_search (fixture->store, "message number", fixture->inbox, 10, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (hits->len, ==, 10);
  for (guint i = 0; i < hits->len; i++)
    g_assert_cmpint (g_array_index (hits, HeronStoreMessageRef, i).uid, ==, 400 - i);
}

static void
test_removed_and_copied (Fixture      *fixture,
                         gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (HeronStoreReader) reader = NULL;
  g_autoptr (GArray) hits = NULL;
  gint64 one = 1;

  heron_store_op_copy (fixture->store, fixture->inbox, &one, 1, fixture->sent, NULL, &error);
  g_assert_no_error (error);
  /* the copy has the body text too */
  assert_search (fixture, "minutes", 0, "sent:-1 in:1");

  heron_store_remove_messages (fixture->store, fixture->inbox, &one, 1, &error);
  g_assert_no_error (error);
  assert_search (fixture, "minutes", 0, "sent:-1");

  /* The reader searches the same index */
  reader = heron_store_reader_open (fixture->dir->path, &error);
  g_assert_no_error (error);
  hits = heron_store_reader_search (reader, "brulee", 0, 10, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (hits->len, ==, 1);
  g_assert_cmpint (g_array_index (hits, HeronStoreMessageRef, 0).uid, ==, -1);
  store_test_assert_consistent (fixture->store);
}

/* Deferred entries (a first sync's extra writer): rows stored without a search entry are not
 * found until the pending pass indexes them, newest first, a slice at a time; a body stored
 * meanwhile makes the entry at once; a copy of a pending row is pending too; removing one
 * leaves nothing behind. */
static void
test_deferred (Fixture      *fixture,
               gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  gint64 seven = 7, eight = 8, n;

  heron_store_set_search_deferred (fixture->store, TRUE);
  add_message (fixture, fixture->inbox, 5, "Lighthouse keepers", "Ivo Ivanov", "ivo@example.com",
               "Crew <crew@example.com>", NULL);
  add_message (fixture, fixture->inbox, 6, "Lighthouse lamps", "Ivo Ivanov", "ivo@example.com", NULL,
               "The lamps need new wicks.");
  add_message (fixture, fixture->inbox, 7, "Lighthouse paint", "Ivo Ivanov", "ivo@example.com", NULL, NULL);
  add_message (fixture, fixture->inbox, 8, "Lighthouse removed", "Ivo Ivanov", "ivo@example.com", NULL, NULL);
  heron_store_set_search_deferred (fixture->store, FALSE);

  /* 6 got its body, which made its entry (sender, subject and body) */
  assert_search (fixture, "lighthouse", 0, "in:6");
  assert_search (fixture, "wicks", 0, "in:6");
  assert_search (fixture, "ivanov lamps", 0, "in:6");

  heron_store_op_copy (fixture->store, fixture->inbox, &seven, 1, fixture->sent, NULL, &error);
  g_assert_no_error (error);
  heron_store_remove_messages (fixture->store, fixture->inbox, &eight, 1, &error);
  g_assert_no_error (error);
  assert_search (fixture, "lighthouse", 0, "in:6");

  /* newest first, two at a time: 5 and 7 and the copy of 7 remain (ids follow dates; the
   * test messages share one date, so ids follow insertion) */
  n = heron_store_index_pending_search (fixture->store, 2, &error);
  g_assert_no_error (error);
  g_assert_cmpint (n, ==, 2);
  n = heron_store_index_pending_search (fixture->store, 2, &error);
  g_assert_no_error (error);
  g_assert_cmpint (n, ==, 1);
  n = heron_store_index_pending_search (fixture->store, 2, &error);
  g_assert_no_error (error);
  g_assert_cmpint (n, ==, 0);

  assert_search (fixture, "lighthouse", fixture->inbox, "in:7 in:6 in:5");
  assert_search (fixture, "lighthouse paint", 0, "sent:-1 in:7");
  assert_search (fixture, "crew@example.com", 0, "in:5");
  assert_search (fixture, "ivo@example.com keepers", 0, "in:5");
  assert_search (fixture, "removed", 0, "");
  store_test_assert_consistent (fixture->store);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("/heron/store/search/fields", test_fields);
  ADD ("/heron/store/search/prefix-and-phrase", test_prefix_and_phrase);
  ADD ("/heron/store/search/non-ascii", test_non_ascii);
  ADD ("/heron/store/search/hostile-input", test_hostile_input);
  ADD ("/heron/store/search/limit-and-order", test_limit_and_order);
  ADD ("/heron/store/search/removed-and-copied", test_removed_and_copied);
  ADD ("/heron/store/search/deferred", test_deferred);
#undef ADD
  g_test_add_func ("/heron/store/search/query-syntax", test_query_syntax);

  return g_test_run ();
}
