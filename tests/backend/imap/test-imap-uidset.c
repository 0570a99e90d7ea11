/* test-imap-uidset.c: compact UID and sequence sets
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "imap/heron-imap-error.h"
#include "imap/heron-imap-uidset.h"

static HeronImapUidSet *
parse_ok (const char *text)
{
  g_autoptr(GError) error = NULL;
  HeronImapUidSet *set = heron_imap_uid_set_parse (text, HERON_IMAP_SET_UID, &error);

  g_assert_no_error (error);
  g_assert_nonnull (set);

  return set;
}

static void
assert_set (const HeronImapUidSet *set,
            const char            *expected)
{
  g_autofree char *text = heron_imap_uid_set_to_string (set);

  g_assert_cmpstr (text, ==, expected);
}

/* RFC 3501 section 9: the shortest form comes back, whatever order and overlap went in. */
static void
test_parse_format (void)
{
  static const struct {
    const char *input;
    const char *output;
  } cases[] = {
    { "1", "1" },
    { "1:5", "1:5" },
    { "1:5,7,9:*", "1:5,7,9:*" },
    { "*", "*" },
    { "1:*", "1:*" },
    { "4294967295", "4294967295" },
    { "1:4294967295", "1:4294967295" },
    { "3,1", "1,3" },
    { "5:1", "1:5" },
    { "1,2,3,4,5", "1:5" },
    { "1:3,4:6", "1:6" },
    { "2:4,1", "1:4" },
    { "1:10,3:4", "1:10" },
    { "6,4,8", "4,6,8" },
    { "7,3:9", "3:9" },
    { "*:4", "4:*" },
    { "*:*", "*" },
    { "7,5:*", "5:*" },
    { "1:3,5:*,4", "1:*" },
    { "*,5:*", "5:*" },
    { "2,10:*,4:*", "2,4:*" },
    { "1:3,*,10", "1:3,10,*" },
    { "41,43:211,214:541", "41,43:211,214:541" },
    { "304,319:320", "304,319:320" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(HeronImapUidSet) set = parse_ok (cases[i].input);
      g_autoptr(HeronImapUidSet) again = NULL;
      g_autofree char *text = heron_imap_uid_set_to_string (set);

      g_assert_cmpstr (text, ==, cases[i].output);

      /* The output is a fixed point. */
      again = parse_ok (text);
      g_assert_true (heron_imap_uid_set_equal (set, again));
    }
}

static void
test_parse_invalid (void)
{
  static const char * const invalid[] = {
    "", "0", "5:", "a", "4294967296", "99999999999999999999", ",", "1,", ",1", "1,,2", "1:2:3",
    " 1", "1 ", "01", "1:0", "0:5", "-1", "1;2", "$", "1:*:2", "**", "1.5", "1:-5", ":5",
  };

  for (guint i = 0; i < G_N_ELEMENTS (invalid); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(HeronImapUidSet) set = heron_imap_uid_set_parse (invalid[i], HERON_IMAP_SET_UID, &error);

      if (set != NULL)
        g_error ("“%s” was accepted", invalid[i]);
      g_assert_error (error, HERON_IMAP_ERROR, HERON_IMAP_ERROR_PARSE);
    }
}

static void
test_merge_adjacent (void)
{
  g_autoptr(HeronImapUidSet) set = heron_imap_uid_set_new (HERON_IMAP_SET_UID);

  heron_imap_uid_set_add (set, 1);
  heron_imap_uid_set_add (set, 3);
  assert_set (set, "1,3");
  heron_imap_uid_set_add (set, 2);
  assert_set (set, "1:3");
  g_assert_cmpuint (heron_imap_uid_set_get_n_ranges (set), ==, 1);

  heron_imap_uid_set_add_range (set, 10, 20);
  heron_imap_uid_set_add_range (set, 21, 30);
  assert_set (set, "1:3,10:30");

  heron_imap_uid_set_add_range (set, 5, 8);
  assert_set (set, "1:3,5:8,10:30");
  heron_imap_uid_set_add (set, 4);
  assert_set (set, "1:8,10:30");
  heron_imap_uid_set_add (set, 9);
  assert_set (set, "1:30");

  /* A range that swallows several. */
  heron_imap_uid_set_add_range (set, 40, 45);
  heron_imap_uid_set_add_range (set, 50, 55);
  heron_imap_uid_set_add_range (set, 60, 65);
  heron_imap_uid_set_add_range (set, 70, 42);
  assert_set (set, "1:30,40:70");

  /* Duplicates change nothing. */
  heron_imap_uid_set_add (set, 17);
  heron_imap_uid_set_add_range (set, 43, 44);
  assert_set (set, "1:30,40:70");

  /* Up to the top of the range of UIDs. */
  heron_imap_uid_set_add (set, G_MAXUINT32);
  heron_imap_uid_set_add (set, G_MAXUINT32 - 1);
  assert_set (set, "1:30,40:70,4294967294:4294967295");
  g_assert_cmpuint (heron_imap_uid_set_count (set), ==, 30 + 31 + 2);
}

static void
test_remove (void)
{
  g_autoptr(HeronImapUidSet) set = parse_ok ("1:10");

  heron_imap_uid_set_remove (set, 5);
  assert_set (set, "1:4,6:10");
  heron_imap_uid_set_remove (set, 1);
  assert_set (set, "2:4,6:10");
  heron_imap_uid_set_remove (set, 10);
  assert_set (set, "2:4,6:9");
  heron_imap_uid_set_remove (set, 42);
  assert_set (set, "2:4,6:9");
  heron_imap_uid_set_remove_range (set, 3, 7);
  assert_set (set, "2,8:9");
  heron_imap_uid_set_remove_range (set, 1, 100);
  assert_set (set, "");
  g_assert_true (heron_imap_uid_set_is_empty (set));

  heron_imap_uid_set_clear (set);
  heron_imap_uid_set_add_range (set, 1, 3);
  heron_imap_uid_set_add_range (set, 5, 7);
  heron_imap_uid_set_add_range (set, 9, 11);
  heron_imap_uid_set_add_range (set, 13, 15);
  heron_imap_uid_set_remove_range (set, 6, 14);
  assert_set (set, "1:3,5,15");

  heron_imap_uid_set_clear (set);
  heron_imap_uid_set_add_range (set, G_MAXUINT32 - 5, G_MAXUINT32);
  heron_imap_uid_set_remove (set, G_MAXUINT32);
  assert_set (set, "4294967290:4294967294");

  /* Out of an open range, what lies below stays explicit. */
  heron_imap_uid_set_clear (set);
  heron_imap_uid_set_add_range_to_star (set, 5);
  heron_imap_uid_set_remove (set, 7);
  assert_set (set, "5:6,8:*");
  g_assert_false (heron_imap_uid_set_contains (set, 7));
  g_assert_true (heron_imap_uid_set_contains (set, 8));
  heron_imap_uid_set_remove_range (set, 4, 5);
  assert_set (set, "6,8:*");
  heron_imap_uid_set_remove_range (set, 8, G_MAXUINT32);
  assert_set (set, "6");
  g_assert_false (heron_imap_uid_set_has_star (set));

  /* A bare "*" is the largest UID, which no explicit removal names. */
  heron_imap_uid_set_add_star (set);
  heron_imap_uid_set_remove (set, 6);
  assert_set (set, "*");
}

static void
test_contains_count_bounds (void)
{
  g_autoptr(HeronImapUidSet) set = parse_ok ("1:5,7,9:12");
  g_autoptr(HeronImapUidSet) star = parse_ok ("3,10:*");
  guint32 first = 0, last = 0;

  g_assert_false (heron_imap_uid_set_contains (set, 0));
  g_assert_true (heron_imap_uid_set_contains (set, 1));
  g_assert_true (heron_imap_uid_set_contains (set, 5));
  g_assert_false (heron_imap_uid_set_contains (set, 6));
  g_assert_true (heron_imap_uid_set_contains (set, 7));
  g_assert_false (heron_imap_uid_set_contains (set, 8));
  g_assert_true (heron_imap_uid_set_contains (set, 12));
  g_assert_false (heron_imap_uid_set_contains (set, 13));
  g_assert_false (heron_imap_uid_set_contains (set, G_MAXUINT32));
  g_assert_cmpuint (heron_imap_uid_set_count (set), ==, 10);
  g_assert_cmpuint (heron_imap_uid_set_get_n_ranges (set), ==, 3);
  g_assert_true (heron_imap_uid_set_get_bounds (set, &first, &last));
  g_assert_cmpuint (first, ==, 1);
  g_assert_cmpuint (last, ==, 12);
  g_assert_false (heron_imap_uid_set_has_star (set));

  g_assert_true (heron_imap_uid_set_has_star (star));
  g_assert_true (heron_imap_uid_set_contains (star, 3));
  g_assert_false (heron_imap_uid_set_contains (star, 9));
  g_assert_true (heron_imap_uid_set_contains (star, 10));
  g_assert_true (heron_imap_uid_set_contains (star, G_MAXUINT32));
  /* Counts and bounds cover the explicit numbers only. */
  g_assert_cmpuint (heron_imap_uid_set_count (star), ==, 1);

  heron_imap_uid_set_clear (set);
  g_assert_false (heron_imap_uid_set_get_bounds (set, &first, &last));
  g_assert_cmpuint (heron_imap_uid_set_count (set), ==, 0);

  /* The whole UID space counts without overflow. */
  heron_imap_uid_set_add_range (set, 1, G_MAXUINT32);
  g_assert_cmpuint (heron_imap_uid_set_count (set), ==, G_MAXUINT32);
}

static void
test_iterate (void)
{
  g_autoptr(HeronImapUidSet) set = parse_ok ("2:4,7,4294967294:4294967295,10:*");
  HeronImapUidSetIter iter;
  guint32 uid, first, last;
  GArray *seen = g_array_new (FALSE, FALSE, sizeof (guint32));
  static const guint32 expected[] = { 2, 3, 4, 7 };

  /* 4294967294:4294967295 falls into 10:*. */
  assert_set (set, "2:4,7,10:*");

  heron_imap_uid_set_iter_init (&iter, set);
  while (heron_imap_uid_set_iter_next (&iter, &uid))
    g_array_append_val (seen, uid);
  g_assert_cmpmem (seen->data, seen->len * sizeof (guint32), expected, sizeof expected);
  g_array_unref (seen);

  heron_imap_uid_set_iter_init (&iter, set);
  g_assert_true (heron_imap_uid_set_iter_next_range (&iter, &first, &last));
  g_assert_cmpuint (first, ==, 2);
  g_assert_cmpuint (last, ==, 4);
  g_assert_true (heron_imap_uid_set_iter_next_range (&iter, &first, &last));
  g_assert_cmpuint (first, ==, 7);
  g_assert_cmpuint (last, ==, 7);
  g_assert_false (heron_imap_uid_set_iter_next_range (&iter, &first, &last));

  /* Mixed: a range resumes where single steps left it. */
  heron_imap_uid_set_iter_init (&iter, set);
  g_assert_true (heron_imap_uid_set_iter_next (&iter, &uid));
  g_assert_cmpuint (uid, ==, 2);
  g_assert_true (heron_imap_uid_set_iter_next_range (&iter, &first, &last));
  g_assert_cmpuint (first, ==, 3);
  g_assert_cmpuint (last, ==, 4);
  g_assert_true (heron_imap_uid_set_iter_next (&iter, &uid));
  g_assert_cmpuint (uid, ==, 7);
  g_assert_false (heron_imap_uid_set_iter_next (&iter, &uid));

  /* The last UID does not wrap the iterator round to 0. */
  heron_imap_uid_set_clear (set);
  heron_imap_uid_set_add_range (set, G_MAXUINT32 - 1, G_MAXUINT32);
  heron_imap_uid_set_iter_init (&iter, set);
  g_assert_true (heron_imap_uid_set_iter_next (&iter, &uid));
  g_assert_true (heron_imap_uid_set_iter_next (&iter, &uid));
  g_assert_cmpuint (uid, ==, G_MAXUINT32);
  g_assert_false (heron_imap_uid_set_iter_next (&iter, &uid));
}

static void
test_union (void)
{
  g_autoptr(HeronImapUidSet) a = parse_ok ("1:3,10,20:25");
  g_autoptr(HeronImapUidSet) b = parse_ok ("4:5,8,21:30");
  g_autoptr(HeronImapUidSet) star = parse_ok ("28:*");
  g_autoptr(HeronImapUidSet) empty = heron_imap_uid_set_new (HERON_IMAP_SET_UID);

  heron_imap_uid_set_union (a, b);
  assert_set (a, "1:5,8,10,20:30");
  heron_imap_uid_set_union (a, empty);
  assert_set (a, "1:5,8,10,20:30");
  heron_imap_uid_set_union (empty, a);
  assert_set (empty, "1:5,8,10,20:30");
  heron_imap_uid_set_union (a, star);
  assert_set (a, "1:5,8,10,20:*");
  heron_imap_uid_set_union (a, a);
  assert_set (a, "1:5,8,10,20:*");
}

static void
test_resolve_star (void)
{
  static const struct {
    const char *input;
    guint32 largest;
    const char *output;
  } cases[] = {
    { "1:3,10:*", 12, "1:3,10:12" },
    { "1:3,10:*", 5, "1:3,5" },
    { "1:3,10:*", 10, "1:3,10" },
    { "*", 7, "7" },
    { "1:3,*", 4, "1:4" },
    { "1:3,*", 0, "1:3" },
    { "2:4", 9, "2:4" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(HeronImapUidSet) set = parse_ok (cases[i].input);

      heron_imap_uid_set_resolve_star (set, cases[i].largest);
      assert_set (set, cases[i].output);
      g_assert_false (heron_imap_uid_set_has_star (set));
    }
}

static void
test_kind (void)
{
  g_autoptr(HeronImapUidSet) uids = parse_ok ("1:5");
  g_autoptr(HeronImapUidSet) seqs = heron_imap_uid_set_parse ("1:5", HERON_IMAP_SET_SEQUENCE, NULL);
  g_autoptr(HeronImapUidSet) copy = heron_imap_uid_set_copy (seqs);
  GValue value = G_VALUE_INIT;

  g_assert_cmpint (heron_imap_uid_set_get_kind (uids), ==, HERON_IMAP_SET_UID);
  g_assert_cmpint (heron_imap_uid_set_get_kind (seqs), ==, HERON_IMAP_SET_SEQUENCE);
  g_assert_cmpint (heron_imap_uid_set_get_kind (copy), ==, HERON_IMAP_SET_SEQUENCE);
  /* The same numbers are not the same messages. */
  g_assert_false (heron_imap_uid_set_equal (uids, seqs));
  g_assert_true (heron_imap_uid_set_equal (seqs, copy));

  /* A boxed type, so sets travel in GValues and GTasks. */
  g_value_init (&value, HERON_IMAP_TYPE_UID_SET);
  g_value_set_boxed (&value, uids);
  g_assert_true (heron_imap_uid_set_equal (g_value_get_boxed (&value), uids));
  g_assert_true (g_value_get_boxed (&value) != uids);
  g_value_unset (&value);
}

/* A million UIDs, every third one missing: 500,000 ranges. */
static HeronImapUidSet *
build_million (void)
{
  HeronImapUidSet *set = heron_imap_uid_set_new (HERON_IMAP_SET_UID);

  for (guint32 uid = 1; uid <= 1500000; uid++)
    if (uid % 3 != 0)
      heron_imap_uid_set_add (set, uid);

  return set;
}

static void
test_million (void)
{
  g_autoptr(HeronImapUidSet) set = NULL;
  g_autoptr(HeronImapUidSet) again = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  g_autoptr(GTimer) timer = g_timer_new ();
  double build, format, parse;

  set = build_million ();
  build = g_timer_elapsed (timer, NULL);
  g_assert_cmpuint (heron_imap_uid_set_count (set), ==, 1000000);
  g_assert_cmpuint (heron_imap_uid_set_get_n_ranges (set), ==, 500000);

  g_timer_start (timer);
  text = heron_imap_uid_set_to_string (set);
  format = g_timer_elapsed (timer, NULL);
  g_assert_true (g_str_has_prefix (text, "1:2,4:5,7:8,"));
  g_assert_true (g_str_has_suffix (text, ",1499998:1499999"));

  g_timer_start (timer);
  again = heron_imap_uid_set_parse (text, HERON_IMAP_SET_UID, &error);
  parse = g_timer_elapsed (timer, NULL);
  g_assert_no_error (error);
  g_assert_true (heron_imap_uid_set_equal (set, again));

  g_test_message ("1,000,000 UIDs in 500,000 ranges: built in %.3f s, formatted (%zu chars) in %.3f s, "
                  "parsed in %.3f s", build, strlen (text), format, parse);

  /* Generous bounds that still catch a per-UID or quadratic implementation, sanitizers included. */
  g_assert_cmpfloat (build, <, 2.0);
  g_assert_cmpfloat (format, <, 1.0);
  g_assert_cmpfloat (parse, <, 2.0);
}

static void
check_split (const HeronImapUidSet *set,
             gsize                  max_chars)
{
  g_auto(GStrv) chunks = heron_imap_uid_set_split (set, max_chars);
  g_autoptr(GPtrArray) sets = heron_imap_uid_set_split_sets (set, max_chars);
  g_autoptr(HeronImapUidSet) all = heron_imap_uid_set_new (heron_imap_uid_set_get_kind (set));
  guint n = g_strv_length (chunks);

  g_assert_cmpuint (n, ==, sets->len);

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(HeronImapUidSet) chunk = NULL;
      g_autofree char *again = NULL;

      g_assert_cmpuint (strlen (chunks[i]), >, 0);
      g_assert_cmpuint (strlen (chunks[i]), <=, max_chars);

      chunk = heron_imap_uid_set_parse (chunks[i], heron_imap_uid_set_get_kind (set), &error);
      g_assert_no_error (error);
      g_assert_true (heron_imap_uid_set_equal (chunk, g_ptr_array_index (sets, i)));

      /* Each chunk is already in its shortest form. */
      again = heron_imap_uid_set_to_string (chunk);
      g_assert_cmpstr (again, ==, chunks[i]);

      heron_imap_uid_set_union (all, chunk);
    }

  g_assert_true (heron_imap_uid_set_equal (all, set));
}

static void
test_split (void)
{
  g_autoptr(HeronImapUidSet) million = build_million ();
  g_autoptr(HeronImapUidSet) small = parse_ok ("1:5,7,9:12,100,4294967294:4294967295,*");
  g_autoptr(HeronImapUidSet) star = parse_ok ("3,5,7,9:*");
  g_autoptr(HeronImapUidSet) empty = heron_imap_uid_set_new (HERON_IMAP_SET_UID);
  g_autoptr(HeronImapUidSet) seqs = heron_imap_uid_set_parse ("1:3,5,7:9", HERON_IMAP_SET_SEQUENCE, NULL);
  g_auto(GStrv) chunks = NULL;
  g_auto(GStrv) none = NULL;

  check_split (million, HERON_IMAP_UID_SET_MAX_CHARS);
  check_split (million, 8192);
  check_split (million, 100);
  check_split (small, HERON_IMAP_UID_SET_MIN_SPLIT_CHARS);
  check_split (small, 25);
  check_split (small, 1000);
  check_split (star, HERON_IMAP_UID_SET_MIN_SPLIT_CHARS);
  check_split (seqs, HERON_IMAP_UID_SET_MIN_SPLIT_CHARS);

  /* Whole when it fits. */
  chunks = heron_imap_uid_set_split (small, 1000);
  g_assert_cmpuint (g_strv_length (chunks), ==, 1);
  g_assert_cmpstr (chunks[0], ==, "1:5,7,9:12,100,4294967294:4294967295,*");

  /* The million takes 7.2 MB; at 7 KiB a chunk that is about a thousand commands. */
  g_clear_pointer (&chunks, g_strfreev);
  chunks = heron_imap_uid_set_split (million, HERON_IMAP_UID_SET_MAX_CHARS);
  g_assert_cmpuint (g_strv_length (chunks), >, 900);
  g_assert_cmpuint (g_strv_length (chunks), <, 1200);

  none = heron_imap_uid_set_split (empty, 100);
  g_assert_cmpuint (g_strv_length (none), ==, 0);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/heron/imap/uidset/parse-format", test_parse_format);
  g_test_add_func ("/heron/imap/uidset/parse-invalid", test_parse_invalid);
  g_test_add_func ("/heron/imap/uidset/merge-adjacent", test_merge_adjacent);
  g_test_add_func ("/heron/imap/uidset/remove", test_remove);
  g_test_add_func ("/heron/imap/uidset/contains-count-bounds", test_contains_count_bounds);
  g_test_add_func ("/heron/imap/uidset/iterate", test_iterate);
  g_test_add_func ("/heron/imap/uidset/union", test_union);
  g_test_add_func ("/heron/imap/uidset/resolve-star", test_resolve_star);
  g_test_add_func ("/heron/imap/uidset/kind", test_kind);
  g_test_add_func ("/heron/imap/uidset/million", test_million);
  g_test_add_func ("/heron/imap/uidset/split", test_split);

  return g_test_run ();
}
