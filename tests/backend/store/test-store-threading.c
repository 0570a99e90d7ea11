/* test-store-threading.c: conversations from Message-ID, In-Reply-To and References
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
fixture_set_up (Fixture      *fixture,
                gconstpointer data)
{
  fixture->dir = store_test_dir_new ();
  fixture->store = store_test_open (fixture->dir->path);
  fixture->inbox = store_test_add_folder (fixture->store, "INBOX");
  fixture->sent = store_test_add_folder (fixture->store, "Sent");
}

static void
fixture_tear_down (Fixture      *fixture,
                   gconstpointer data)
{
  store_test_assert_consistent (fixture->store);
  g_clear_object (&fixture->store);
  store_test_dir_free (fixture->dir);
}

static gint64
put (Fixture    *fixture,
     gint64      folder_id,
     guint32     uid,
     const char *message_id,
     const char *in_reply_to,
     const char *references)
{
  HeronStoreMessage *message = store_test_message (uid, "Subject", "Ana", "ana@example.test",
                                                   message_id, in_reply_to, references);

  store_test_upsert (fixture->store, folder_id, message);
  heron_store_message_free (message);
  return store_test_conversation (fixture->store, folder_id, uid);
}

static gint64
conversation (Fixture *fixture,
              gint64   folder_id,
              guint32  uid)
{
  return store_test_conversation (fixture->store, folder_id, uid);
}

static void
test_in_order (Fixture      *fixture,
               gconstpointer data)
{
  gint64 a = put (fixture, fixture->inbox, 1, "<a@x>", NULL, NULL);
  gint64 b = put (fixture, fixture->inbox, 2, "<b@x>", "<a@x>", "<a@x>");
  gint64 c = put (fixture, fixture->inbox, 3, "<c@x>", "<b@x>", "<a@x> <b@x>");
  gint64 other = put (fixture, fixture->inbox, 4, "<z@x>", NULL, NULL);

  g_assert_cmpint (a, ==, b);
  g_assert_cmpint (b, ==, c);
  g_assert_cmpint (other, !=, a);
}

/* A reply arrives before its parent; a grandchild before the link between them */
static void
test_out_of_order (Fixture      *fixture,
                   gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) rows = NULL;
  g_autoptr (GArray) changed = NULL;
  StoreTestEvents events;
  gint64 c, a, b;

  /* c names only its parent b (no References), a is the root */
  c = put (fixture, fixture->inbox, 3, "<c@x>", "<b@x>", NULL);
  a = put (fixture, fixture->inbox, 1, "<a@x>", NULL, NULL);
  g_assert_cmpint (c, !=, a);

  /* b names a: the two conversations become one, and the change is reported */
  store_test_events_attach (&events, fixture->store);
  b = put (fixture, fixture->inbox, 2, "<b@x>", "<a@x>", "<a@x>");
  g_assert_cmpint (conversation (fixture, fixture->inbox, 1), ==, b);
  g_assert_cmpint (conversation (fixture, fixture->inbox, 3), ==, b);
  changed = store_test_events_uids (&events, HERON_STORE_CHANGE_MESSAGES_CHANGED, fixture->inbox);
  g_assert_cmpuint (changed->len, ==, 1);
  heron_store_set_changes_func (fixture->store, NULL, NULL, NULL);
  g_ptr_array_unref (events.batches);

  rows = heron_store_get_conversation (fixture->store, b, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (rows->len, ==, 3);
  /* oldest first */
  g_assert_cmpint (((HeronStoreMessage *) rows->pdata[0])->uid, ==, 1);
  g_assert_cmpint (((HeronStoreMessage *) rows->pdata[2])->uid, ==, 3);
}

/* The larger conversation keeps its id; the smaller one is rewritten */
static void
test_merge_keeps_larger (Fixture      *fixture,
                         gconstpointer data)
{
  gint64 big, small, link;

  big = put (fixture, fixture->inbox, 1, "<r@x>", NULL, NULL);
  for (guint32 i = 2; i <= 6; i++)
    {
      g_autofree char *id = g_strdup_printf ("<r%u@x>", i);

      g_assert_cmpint (put (fixture, fixture->inbox, i, id, "<r@x>", "<r@x>"), ==, big);
    }
  small = put (fixture, fixture->inbox, 10, "<s@x>", NULL, NULL);
  g_assert_cmpint (small, !=, big);

  /* a message citing both */
  link = put (fixture, fixture->inbox, 11, "<l@x>", "<s@x>", "<r3@x> <s@x>");
  g_assert_cmpint (link, ==, big);
  g_assert_cmpint (conversation (fixture, fixture->inbox, 10), ==, big);
}

/* A reply in Sent joins the thread in the inbox, in either order */
static void
test_cross_folder (Fixture      *fixture,
                   gconstpointer data)
{
  gint64 original = put (fixture, fixture->inbox, 1, "<question@example.org>", NULL, NULL);
  gint64 reply = put (fixture, fixture->sent, 1, "<answer@example.test>", "<question@example.org>",
                      "<question@example.org>");
  gint64 early_reply = put (fixture, fixture->sent, 2, "<answer2@example.test>", "<later@example.org>", NULL);
  gint64 later = put (fixture, fixture->inbox, 2, "<later@example.org>", NULL, NULL);

  g_assert_cmpint (original, ==, reply);
  g_assert_cmpint (early_reply, ==, later);
  g_assert_cmpint (original, !=, later);

  /* The same message in two folders is one conversation */
  g_assert_cmpint (put (fixture, fixture->sent, 3, "<question@example.org>", NULL, NULL), ==, original);
}

/* Loops and self-references in References are harmless */
static void
test_cycles (Fixture      *fixture,
             gconstpointer data)
{
  gint64 x = put (fixture, fixture->inbox, 1, "<x@x>", "<y@x>", "<y@x> <x@x>");
  gint64 y = put (fixture, fixture->inbox, 2, "<y@x>", "<x@x>", "<x@x> <y@x> <x@x>");
  gint64 self = put (fixture, fixture->inbox, 3, "<self@x>", "<self@x>", "<self@x> <self@x>");
  gint64 z = put (fixture, fixture->inbox, 4, "<z@x>", "<x@x>", "<y@x> <x@x> <y@x>");

  g_assert_cmpint (x, ==, y);
  g_assert_cmpint (z, ==, x);
  g_assert_cmpint (self, !=, x);
}

static void
test_no_message_id (Fixture      *fixture,
                    gconstpointer data)
{
  gint64 one = put (fixture, fixture->inbox, 1, NULL, NULL, NULL);
  gint64 two = put (fixture, fixture->inbox, 2, "", NULL, NULL);
  gint64 three = put (fixture, fixture->inbox, 3, "<>", "garbage without brackets?", NULL);
  gint64 parent = put (fixture, fixture->inbox, 4, "<p@x>", NULL, NULL);
  /* no id of its own, but a parent: joins it */
  gint64 child = put (fixture, fixture->inbox, 5, NULL, "<p@x>", NULL);

  g_assert_cmpint (one, !=, two);
  g_assert_cmpint (two, !=, three);
  g_assert_cmpint (one, !=, three);
  g_assert_cmpint (child, ==, parent);
}

static void
test_parse_references (void)
{
  g_autoptr (GPtrArray) ids = NULL;
  char *normal;

  ids = _heron_store_parse_references ("Your message of Monday <parent@x> (and <not-this@x>)",
                                       "<root@x>\r\n <mid@x> <parent@x> <>", 100);
  g_assert_cmpuint (ids->len, ==, 3);
  g_assert_cmpstr (ids->pdata[0], ==, "parent@x");
  g_assert_cmpstr (ids->pdata[1], ==, "mid@x");
  g_assert_cmpstr (ids->pdata[2], ==, "root@x");
  g_clear_pointer (&ids, g_ptr_array_unref);

  /* Only the nearest ancestors of a huge header */
  {
    g_autoptr (GString) huge = g_string_new (NULL);

    for (guint i = 0; i < 1000; i++)
      g_string_append_printf (huge, "<id%u@x> ", i);
    ids = _heron_store_parse_references (NULL, huge->str, 10);
    g_assert_cmpuint (ids->len, ==, 10);
    g_assert_cmpstr (ids->pdata[0], ==, "id999@x");
    g_clear_pointer (&ids, g_ptr_array_unref);
  }

  /* Broken mailers without brackets */
  ids = _heron_store_parse_references (NULL, "a@x b@x", 100);
  g_assert_cmpuint (ids->len, ==, 2);

  normal = _heron_store_normalize_message_id ("  <abc@example.test>  ");
  g_assert_cmpstr (normal, ==, "abc@example.test");
  g_free (normal);
  normal = _heron_store_normalize_message_id ("abc@example.test");
  g_assert_cmpstr (normal, ==, "abc@example.test");
  g_free (normal);
  g_assert_null (_heron_store_normalize_message_id ("<>"));
  g_assert_null (_heron_store_normalize_message_id ("   "));
  g_assert_null (_heron_store_normalize_message_id ("two words"));
}

/* Many messages in one batch, replies before parents: one conversation per thread */
static void
test_batch (Fixture      *fixture,
            gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) batch = g_ptr_array_new_with_free_func ((GDestroyNotify) heron_store_message_free);
  guint n_threads = 50, depth = 20;
  guint32 uid = 1;

  /* newest first, as a sync that starts from the top would deliver them */
  for (guint d = depth; d > 0; d--)
    for (guint t = 0; t < n_threads; t++)
      {
        g_autofree char *id = g_strdup_printf ("<t%u-%u@x>", t, d - 1);
        g_autofree char *parent = d > 1 ? g_strdup_printf ("<t%u-%u@x>", t, d - 2) : NULL;

        g_ptr_array_add (batch, store_test_message (uid++, "Thread", NULL, NULL, id, parent, parent));
      }
  heron_store_upsert_messages (fixture->store, fixture->inbox, (HeronStoreMessage **) batch->pdata, batch->len, &error);
  g_assert_no_error (error);

  for (guint t = 0; t < n_threads; t++)
    {
      gint64 first = conversation (fixture, fixture->inbox, 1 + t);

      for (guint d = 1; d < depth; d++)
        g_assert_cmpint (conversation (fixture, fixture->inbox, 1 + d * n_threads + t), ==, first);
      if (t > 0)
        g_assert_cmpint (first, !=, conversation (fixture, fixture->inbox, t));
    }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("/heron/store/threading/in-order", test_in_order);
  ADD ("/heron/store/threading/out-of-order", test_out_of_order);
  ADD ("/heron/store/threading/merge-keeps-larger", test_merge_keeps_larger);
  ADD ("/heron/store/threading/cross-folder", test_cross_folder);
  ADD ("/heron/store/threading/cycles", test_cycles);
  ADD ("/heron/store/threading/no-message-id", test_no_message_id);
  ADD ("/heron/store/threading/batch", test_batch);
#undef ADD
  g_test_add_func ("/heron/store/threading/parse-references", test_parse_references);

  return g_test_run ();
}
