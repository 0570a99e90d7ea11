/* test-message-list.c: HeronMessage and HeronMessageList over a cache filled by heron_store_*
 * calls, and against the real Dovecot of tests/servers through an account
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The unit tests make an account that is never started (its worker stays stopped, so it is
 * offline) over a cache the test writes with its own HeronStore. The test's writer turns its
 * change reports into the worker's events exactly as the worker does (one event per change,
 * delivered in an idle after the commit), so the list sees what it would see in the
 * application; a test may hold them back to play a cache that is ahead of its events.
 *
 * A "mirror" follows each list as a view does: it applies every items-changed to its own array
 * of items, and after each one checks that the list answers the same for every position (the
 * state between two hunks of one change included). After every change the mirror is compared
 * with the cache's own order, item by item.
 */

#include "config.h"

#include <string.h>
#include <glib/gstdio.h>

#include "heron-test-server.h"
#include "account/heron-account-config-store.h"
#include "client/heron-client-private.h"
#include "client/heron-message-list-private.h"
#include "mime/heron-mime.h"

#define WAIT_MS 60000

static HeronTestServer *server;
static char *tmpdir;

/* Waiting */

static gboolean
on_timeout (gpointer user_data)
{
  *(gboolean *) user_data = TRUE;
  return G_SOURCE_REMOVE;
}

typedef gboolean (*CheckFunc) (gconstpointer data);

static void
wait_until (CheckFunc      check,
            gconstpointer  data,
            const char    *what)
{
  gboolean timed_out = FALSE;
  guint id = g_timeout_add (WAIT_MS, on_timeout, &timed_out);

  while (!check (data) && !timed_out)
    g_main_context_iteration (NULL, TRUE);
  if (timed_out)
    g_error ("Timed out after %u ms waiting for %s", WAIT_MS, what);
  g_source_remove (id);
}

/* Runs everything that is ready (events, the lists' idles) */
static void
drain (void)
{
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

typedef struct {
  gboolean      done;
  GAsyncResult *result;
} Wait;

static void
on_done (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  Wait *wait = user_data;

  wait->result = g_object_ref (result);
  wait->done = TRUE;
}

static gboolean
check_wait (gconstpointer data)
{
  return ((const Wait *) data)->done;
}

static GAsyncResult *
await (Wait       *wait,
       const char *what)
{
  wait_until (check_wait, wait, what);
  return wait->result;
}

/* The mirror: a view's idea of a list */

typedef struct {
  GListModel *model;
  GPtrArray  *items;     /* HeronMessage */
  GArray     *changes;   /* guint position, removed, added */
} Mirror;

static void
mirror_check_positions (Mirror *mirror)
{
  g_assert_cmpuint (g_list_model_get_n_items (mirror->model), ==, mirror->items->len);
  for (guint i = 0; i < mirror->items->len; i++)
    {
      g_autoptr(HeronMessage) item = g_list_model_get_item (mirror->model, i);

      g_assert_true (item == g_ptr_array_index (mirror->items, i));
    }
}

static void
on_items_changed (GListModel *model,
                  guint       position,
                  guint       removed,
                  guint       added,
                  gpointer    user_data)
{
  Mirror *mirror = user_data;
  guint change[3] = { position, removed, added };

  g_array_append_vals (mirror->changes, change, 3);
  g_assert_cmpuint (position + removed, <=, mirror->items->len);
  g_ptr_array_remove_range (mirror->items, position, removed);
  for (guint i = 0; i < added; i++)
    {
      HeronMessage *item = g_list_model_get_item (model, position + i);

      g_assert_nonnull (item);
      g_ptr_array_insert (mirror->items, position + i, item);
    }
  /* every position answers as the view now believes, between hunks too */
  if (mirror->items->len <= 2000)
    mirror_check_positions (mirror);
}

static Mirror *
mirror_new (GListModel *model)
{
  Mirror *mirror = g_new0 (Mirror, 1);

  mirror->model = g_object_ref (model);
  mirror->items = g_ptr_array_new_with_free_func (g_object_unref);
  mirror->changes = g_array_new (FALSE, FALSE, sizeof (guint));
  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    g_ptr_array_add (mirror->items, g_list_model_get_item (model, i));
  g_signal_connect (model, "items-changed", G_CALLBACK (on_items_changed), mirror);
  return mirror;
}

static void
mirror_free (Mirror *mirror)
{
  g_signal_handlers_disconnect_by_data (mirror->model, mirror);
  g_object_unref (mirror->model);
  g_ptr_array_unref (mirror->items);
  g_array_unref (mirror->changes);
  g_free (mirror);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Mirror, mirror_free)

static void
assert_change (Mirror *mirror,
               guint   index,
               guint   position,
               guint   removed,
               guint   added)
{
  g_assert_cmpuint (mirror->changes->len, >, index * 3 + 2);
  g_assert_cmpuint (g_array_index (mirror->changes, guint, index * 3), ==, position);
  g_assert_cmpuint (g_array_index (mirror->changes, guint, index * 3 + 1), ==, removed);
  g_assert_cmpuint (g_array_index (mirror->changes, guint, index * 3 + 2), ==, added);
}

/* The cache's own order of a folder (a reader of the test's), as list rows */
static GPtrArray *
cache_rows (const char *store_path,
            gint64      folder_id)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(HeronStoreReader) reader = heron_store_reader_open (store_path, &error);
  GPtrArray *rows;
  guint count = 0;

  g_assert_no_error (error);
  g_assert_true (heron_store_reader_count_messages (reader, folder_id, &count, &error));
  rows = heron_store_reader_get_rows (reader, folder_id, 0, count, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (rows->len, ==, count);
  return rows;
}

/* The mirror holds, item by item, what the cache holds: the same messages in the same order
 * with the same flags. */
static void
assert_mirror_is_cache (Mirror     *mirror,
                        const char *store_path,
                        gint64      folder_id)
{
  g_autoptr(GPtrArray) rows = cache_rows (store_path, folder_id);

  g_assert_cmpuint (mirror->items->len, ==, rows->len);
  for (guint i = 0; i < rows->len; i++)
    {
      const HeronStoreMessage *row = g_ptr_array_index (rows, i);
      HeronMessage *item = g_ptr_array_index (mirror->items, i);

      g_assert_cmpint (heron_message_get_uid (item), ==, row->uid);
      g_assert_cmpuint (heron_message_get_flags (item), ==, row->flags);
      g_assert_cmpstr (heron_message_get_subject (item), ==, row->subject != NULL ? row->subject : "");
    }
  mirror_check_positions (mirror);
}

/* Unit tests: an account that is not started, over the test's own cache */

typedef struct {
  char                    *dir;
  char                    *store_path;
  HeronAccountConfigStore *config_store;
  HeronAccountConfig      *config;
  HeronAccount            *account;
  HeronStore              *store;
  GHashTable              *folder_names;  /* gint64 id -> name */
  GPtrArray               *queued;        /* HeronSyncEvent */
  gboolean                 hold;
  guint                    flush_id;
} Unit;

static gboolean
unit_flush (gpointer user_data)
{
  Unit *unit = user_data;
  g_autoptr(GPtrArray) events = g_steal_pointer (&unit->queued);

  unit->flush_id = 0;
  unit->queued = g_ptr_array_new_with_free_func ((GDestroyNotify) heron_sync_event_free);
  /* before the account exists nobody listens */
  for (guint i = 0; unit->account != NULL && i < events->len; i++)
    g_signal_emit_by_name (_heron_account_get_worker (unit->account), "event", g_ptr_array_index (events, i));
  return G_SOURCE_REMOVE;
}

/* What the worker does with the store's change reports (heron-account-worker.c) */
static void
on_store_changes (HeronStore *store,
                  GPtrArray  *changes,
                  gpointer    user_data)
{
  Unit *unit = user_data;

  for (guint i = 0; i < changes->len; i++)
    {
      const HeronStoreChange *change = g_ptr_array_index (changes, i);
      HeronSyncEvent *event;

      switch (change->kind)
        {
        case HERON_STORE_CHANGE_FOLDER_LIST:
          event = heron_sync_event_new (HERON_SYNC_EVENT_FOLDERS_CHANGED);
          break;
        case HERON_STORE_CHANGE_FOLDER:
          event = heron_sync_event_new (HERON_SYNC_EVENT_FOLDER_CHANGED);
          break;
        case HERON_STORE_CHANGE_MESSAGES_ADDED:
          event = heron_sync_event_new (HERON_SYNC_EVENT_MESSAGES_ADDED);
          break;
        case HERON_STORE_CHANGE_MESSAGES_CHANGED:
          event = heron_sync_event_new (HERON_SYNC_EVENT_MESSAGES_CHANGED);
          break;
        case HERON_STORE_CHANGE_MESSAGES_REMOVED:
          event = heron_sync_event_new (HERON_SYNC_EVENT_MESSAGES_REMOVED);
          break;
        case HERON_STORE_CHANGE_JOURNAL:
        default:
          continue;
        }
      if (change->folder_id != 0)
        event->folder = g_strdup (g_hash_table_lookup (unit->folder_names, &change->folder_id));
      if (change->uids != NULL)
        {
          event->uids = g_array_sized_new (FALSE, FALSE, sizeof (gint64), change->uids->len);
          g_array_append_vals (event->uids, change->uids->data, change->uids->len);
        }
      g_ptr_array_add (unit->queued, event);
    }
  if (!unit->hold && unit->flush_id == 0 && unit->queued->len > 0)
    unit->flush_id = g_idle_add (unit_flush, unit);
}

static void
unit_release (Unit *unit)
{
  unit->hold = FALSE;
  if (unit->flush_id == 0 && unit->queued->len > 0)
    unit->flush_id = g_idle_add (unit_flush, unit);
}

static gint64
unit_add_folder (Unit       *unit,
                 const char *name)
{
  g_autoptr(HeronStoreFolder) info = heron_store_folder_new ();
  g_autoptr(GError) error = NULL;
  gint64 id;

  info->name = g_strdup (name);
  info->display_name = g_strdup (name);
  info->delimiter = '/';
  info->subscribed = TRUE;
  id = heron_store_add_folder (unit->store, info, &error);
  g_assert_no_error (error);
  g_assert_cmpint (id, >, 0);
  g_hash_table_insert (unit->folder_names, g_memdup2 (&id, sizeof id), g_strdup (name));
  return id;
}

static HeronAccountConfig *
offline_config (const char *user)
{
  HeronAccountConfig *config = heron_account_config_new ();
  g_autoptr(HeronAccountIdentity) identity = heron_account_identity_new ("List Test", user);
  HeronAccountServer *imap = heron_account_config_get_imap (config);
  HeronAccountServer *smtp = heron_account_config_get_smtp (config);

  heron_account_config_add_identity (config, identity);
  /* nothing listens there: the account could only ever be offline */
  heron_account_server_set_host (imap, "127.0.0.1");
  heron_account_server_set_port (imap, 1);
  heron_account_server_set_security (imap, HERON_ACCOUNT_SECURITY_STARTTLS);
  heron_account_server_set_user (imap, user);
  heron_account_server_set_host (smtp, "127.0.0.1");
  heron_account_server_set_port (smtp, 1);
  heron_account_server_set_security (smtp, HERON_ACCOUNT_SECURITY_STARTTLS);
  heron_account_server_set_user (smtp, user);
  return config;
}

static void
unit_init (Unit       *unit,
           const char *name)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *config_dir = NULL;
  g_autofree char *data_dir = NULL;

  memset (unit, 0, sizeof *unit);
  unit->dir = g_build_filename (tmpdir, name, NULL);
  config_dir = g_build_filename (unit->dir, "config", NULL);
  data_dir = g_build_filename (unit->dir, "data", NULL);
  unit->store_path = g_build_filename (unit->dir, "cache.db", NULL);
  unit->folder_names = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, g_free);
  unit->queued = g_ptr_array_new_with_free_func ((GDestroyNotify) heron_sync_event_free);

  unit->store = heron_store_open (unit->store_path, &error);
  g_assert_no_error (error);
  heron_store_set_changes_func (unit->store, on_store_changes, unit, NULL);

  unit->config_store = heron_account_config_store_new_for_dirs (config_dir, data_dir);
  unit->config = offline_config ("list@example.test");
  g_assert_true (heron_account_config_store_add (unit->config_store, unit->config, &error));
  g_assert_no_error (error);
}

/* The account, once the cache has its folders */
static HeronAccount *
unit_account (Unit *unit)
{
  g_autoptr(GError) error = NULL;
  HeronAccountWorkerOptions options;

  if (unit->account != NULL)
    return unit->account;
  heron_account_worker_options_init (&options);
  options.store_path = unit->store_path;
  unit->account = _heron_account_new (NULL, unit->config, &options, &error);
  g_assert_no_error (error);
  g_assert_nonnull (_heron_account_get_reader (unit->account));
  return unit->account;
}

/* (after the events of what the cache holds so far were delivered) */
static HeronFolder *
unit_folder (Unit       *unit,
             const char *name)
{
  HeronFolder *folder;

  unit_account (unit);
  drain ();
  folder = heron_account_lookup_folder (unit->account, name);

  g_assert_nonnull (folder);
  return folder;
}

static void
unit_clear (Unit *unit)
{
  drain ();
  g_clear_handle_id (&unit->flush_id, g_source_remove);
  if (unit->account != NULL)
    _heron_account_stop (unit->account);
  g_clear_object (&unit->account);
  g_clear_object (&unit->config);
  g_clear_object (&unit->config_store);
  heron_store_close (unit->store);
  g_clear_object (&unit->store);
  g_hash_table_unref (unit->folder_names);
  g_ptr_array_unref (unit->queued);
  g_free (unit->store_path);
  g_free (unit->dir);
}

static HeronStoreMessage *
make_row (gint64      uid,
          gint64      date,
          const char *subject,
          const char *from_name,
          const char *from_address,
          const char *message_id,
          const char *references)
{
  HeronStoreMessage *row = heron_store_message_new ();

  row->uid = uid;
  row->internal_date = date;
  row->sent_date = date;
  row->subject = g_strdup (subject);
  row->from_name = g_strdup (from_name);
  row->from_address = g_strdup (from_address);
  row->to = g_strdup ("List Test <list@example.test>");
  row->message_id = g_strdup (message_id);
  row->references = g_strdup (references);
  row->size = 1000;
  return row;
}

/* Messages with uid u dated base + u * step (so that the list's order is known) */
static void
insert_range (Unit   *unit,
              gint64  folder_id,
              gint64  first_uid,
              guint   n,
              gint64  base,
              gint64  step)
{
  g_autoptr(GPtrArray) batch = g_ptr_array_new_with_free_func ((GDestroyNotify) heron_store_message_free);
  g_autoptr(GError) error = NULL;

  for (guint i = 0; i < n; i++)
    {
      gint64 uid = first_uid + i;
      g_autofree char *subject = g_strdup_printf ("Message %" G_GINT64_FORMAT, uid);
      g_autofree char *id = g_strdup_printf ("m%" G_GINT64_FORMAT ".f%" G_GINT64_FORMAT "@list.test", uid, folder_id);

      g_ptr_array_add (batch, make_row (uid, base + uid * step, subject, "Ana Lima", "ana@example.org", id, NULL));
    }
  g_assert_true (heron_store_upsert_messages (unit->store, folder_id, (HeronStoreMessage **) batch->pdata,
                                              batch->len, &error));
  g_assert_no_error (error);
}

static void
insert_one (Unit   *unit,
            gint64  folder_id,
            gint64  uid,
            gint64  date)
{
  insert_range (unit, folder_id, uid, 1, date - uid, 1);
}

static void
remove_uids (Unit         *unit,
             gint64        folder_id,
             const gint64 *uids,
             guint         n)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (heron_store_remove_messages (unit->store, folder_id, uids, n, &error));
  g_assert_no_error (error);
}

#define BASE_DATE G_GINT64_CONSTANT (1700000000)

/* Newest first, and what an item says */
static void
test_order (void)
{
  Unit unit;
  gint64 inbox;
  g_autoptr(GListModel) list = NULL;
  g_autoptr(GError) error = NULL;

  unit_init (&unit, "order");
  inbox = unit_add_folder (&unit, "INBOX");
  insert_range (&unit, inbox, 1, 20, BASE_DATE, 60);
  /* two with the same date: the higher UID first */
  insert_one (&unit, inbox, 30, BASE_DATE + 5000);
  insert_one (&unit, inbox, 31, BASE_DATE + 5000);
  {
    g_autoptr(HeronStoreMessage) row = make_row (40, BASE_DATE + 100, "Re: plans", "Bob", "bob@example.net",
                                                 "x40@list.test", NULL);
    HeronStoreMessage *rows[] = { row };

    row->flags = HERON_STORE_FLAG_SEEN | HERON_STORE_FLAG_FLAGGED;
    row->has_attachment = TRUE;
    g_assert_true (heron_store_upsert_messages (unit.store, inbox, rows, 1, &error));
  }

  list = heron_folder_get_messages (unit_folder (&unit, "INBOX"));
  g_assert_true (HERON_IS_MESSAGE_LIST (list));
  g_assert_cmpuint (g_list_model_get_item_type (list), ==, HERON_TYPE_MESSAGE);
  g_assert_cmpuint (g_list_model_get_n_items (list), ==, 23);
  {
    g_autoptr(Mirror) mirror = mirror_new (list);
    assert_mirror_is_cache (mirror, unit.store_path, inbox);
  }
  {
    g_autoptr(HeronMessage) first = g_list_model_get_item (list, 0);
    g_autoptr(HeronMessage) second = g_list_model_get_item (list, 1);
    g_autoptr(HeronMessage) again = g_list_model_get_item (list, 0);

    g_assert_cmpint (heron_message_get_uid (first), ==, 31);
    g_assert_cmpint (heron_message_get_uid (second), ==, 30);
    /* asked twice, one object */
    g_assert_true (first == again);
    g_assert_true (heron_message_get_account (first) == unit.account);
    g_assert_true (heron_message_get_folder (first) == unit_folder (&unit, "INBOX"));
    g_assert_cmpint (g_date_time_to_unix (heron_message_get_date (first)), ==, BASE_DATE + 5000);
    g_assert_cmpstr (heron_message_get_message_id (first), ==, "m31.f1@list.test");
  }
  for (guint i = 0; i < 23; i++)
    {
      g_autoptr(HeronMessage) item = g_list_model_get_item (list, i);

      if (heron_message_get_uid (item) != 40)
        continue;
      g_assert_cmpstr (heron_message_get_subject (item), ==, "Re: plans");
      g_assert_cmpstr (heron_message_get_sender_name (item), ==, "Bob");
      g_assert_cmpstr (heron_message_get_sender_address (item), ==, "bob@example.net");
      g_assert_cmpstr (heron_message_get_sender_display (item), ==, "Bob");
      g_assert_cmpstr (heron_message_get_to (item), ==, "List Test <list@example.test>");
      g_assert_true (heron_message_get_seen (item));
      g_assert_true (heron_message_get_flagged (item));
      g_assert_false (heron_message_get_answered (item));
      g_assert_true (heron_message_get_has_attachment (item));
      g_assert_false (heron_message_get_body_local (item));
      g_assert_cmpuint (heron_message_get_flags (item), ==, HERON_MESSAGE_FLAG_SEEN | HERON_MESSAGE_FLAG_FLAGGED);
    }
  g_assert_null (g_list_model_get_item (list, 23));
  /* the folder keeps the list while someone holds it */
  {
    g_autoptr(GListModel) same = heron_folder_get_messages (unit_folder (&unit, "INBOX"));
    g_assert_true (same == list);
  }
  g_clear_object (&list);
  unit_clear (&unit);
}

/* The real-address rule in the list */
static void
test_sender_display (void)
{
  static const struct {
    const char *name;
    const char *address;
    const char *display;
  } cases[] = {
    { "Ana Lima", "ana@example.org", "Ana Lima" },
    { "", "bob@example.net", "bob@example.net" },
    { "support@bank.example", "thief@evil.example", "thief@evil.example" },
    { "bank.example Support", "thief@evil.example", "thief@evil.example" },
    { "P\xd0\xb0yPal", "thief@evil.example", "thief@evil.example" },   /* Cyrillic a */
    { "Ana\xe2\x80\xae Lima", "ana@example.org", "ana@example.org" },   /* a bidi override */
  };
  Unit unit;
  gint64 inbox;
  g_autoptr(GListModel) list = NULL;
  g_autoptr(GError) error = NULL;

  unit_init (&unit, "sender");
  inbox = unit_add_folder (&unit, "INBOX");
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(HeronStoreMessage) row = make_row (i + 1, BASE_DATE + 1000 - i, "Hi", cases[i].name,
                                                   cases[i].address, NULL, NULL);
      HeronStoreMessage *rows[] = { row };

      g_assert_true (heron_store_upsert_messages (unit.store, inbox, rows, 1, &error));
    }
  list = heron_folder_get_messages (unit_folder (&unit, "INBOX"));
  g_assert_cmpuint (g_list_model_get_n_items (list), ==, G_N_ELEMENTS (cases));
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(HeronMessage) item = g_list_model_get_item (list, i);

      g_assert_cmpint (heron_message_get_uid (item), ==, i + 1);
      g_assert_cmpstr (heron_message_get_sender_display (item), ==, cases[i].display);
      g_assert_cmpstr (heron_message_get_sender_address (item), ==, cases[i].address);
    }
  g_clear_object (&list);
  unit_clear (&unit);
}

/* Additions and removals: exact positions, minimal hunks, the same objects for what stayed */
static void
test_add_remove (void)
{
  Unit unit;
  gint64 inbox;
  g_autoptr(GListModel) list = NULL;
  g_autoptr(Mirror) mirror = NULL;
  g_autoptr(HeronMessage) kept = NULL;
  guint n_changes = 0;

  unit_init (&unit, "add-remove");
  inbox = unit_add_folder (&unit, "INBOX");
  insert_range (&unit, inbox, 1, 100, BASE_DATE, 60);   /* uid 100 at the top, 1 at the bottom */
  list = heron_folder_get_messages (unit_folder (&unit, "INBOX"));
  mirror = mirror_new (list);
  kept = g_object_ref (g_ptr_array_index (mirror->items, 30));   /* uid 70, which stays */

  /* new mail at the top */
  insert_one (&unit, inbox, 101, BASE_DATE + 101 * 60);
  drain ();
  g_assert_cmpuint (mirror->changes->len / 3, ==, n_changes + 1);
  assert_change (mirror, n_changes++, 0, 0, 1);
  assert_mirror_is_cache (mirror, unit.store_path, inbox);

  /* an old one in the middle (uid 200 dated between 40 and 41: position 101 - 40 = 61) */
  insert_one (&unit, inbox, 200, BASE_DATE + 40 * 60 + 30);
  drain ();
  g_assert_cmpuint (mirror->changes->len / 3, ==, n_changes + 1);
  assert_change (mirror, n_changes++, 61, 0, 1);
  assert_mirror_is_cache (mirror, unit.store_path, inbox);

  /* removals: 101 (top), 90 and 89 (one hunk), 3 (near the bottom) */
  {
    const gint64 uids[] = { 3, 89, 90, 101 };
    remove_uids (&unit, inbox, uids, G_N_ELEMENTS (uids));
  }
  drain ();
  g_assert_cmpuint (mirror->changes->len / 3, ==, n_changes + 3);
  assert_change (mirror, n_changes++, 0, 1, 0);
  assert_change (mirror, n_changes++, 10, 2, 0);
  assert_change (mirror, n_changes++, 96, 1, 0);
  assert_mirror_is_cache (mirror, unit.store_path, inbox);

  /* one batch that removes and adds at several places */
  {
    g_autoptr(GError) error = NULL;
    const gint64 uids[] = { 50, 51, 99 };

    g_assert_true (heron_store_begin_batch (unit.store, &error));
    remove_uids (&unit, inbox, uids, G_N_ELEMENTS (uids));
    insert_one (&unit, inbox, 300, BASE_DATE + 500 * 60);     /* top */
    insert_one (&unit, inbox, 301, BASE_DATE + 50 * 60 + 1);  /* where 50 was */
    insert_one (&unit, inbox, 302, BASE_DATE - 60);           /* bottom */
    {
      const gint64 flagged[] = { 60, 70 };   /* and flags of two that stay, in the same commit */

      g_assert_true (heron_store_change_flags (unit.store, inbox, flagged, 2, HERON_STORE_FLAG_FLAGGED, 0,
                                               NULL, NULL, &error));
    }
    g_assert_true (heron_store_commit_batch (unit.store, &error));
  }
  drain ();
  assert_mirror_is_cache (mirror, unit.store_path, inbox);
  g_assert_true (heron_message_get_flagged (kept));

  /* the object of a message that stayed is the one the view holds */
  {
    gint position = heron_message_list_find (HERON_MESSAGE_LIST (list), kept);
    g_autoptr(HeronMessage) item = NULL;

    g_assert_cmpint (position, >=, 0);
    item = g_list_model_get_item (list, position);
    g_assert_true (item == kept);
  }
  g_clear_pointer (&mirror, mirror_free);
  g_clear_object (&list);
  unit_clear (&unit);
}

static void
on_notify (GObject    *object,
           GParamSpec *pspec,
           gpointer    user_data)
{
  g_ptr_array_add (user_data, g_strdup (pspec->name));
}

/* A flag change updates the object the view holds, without items-changed */
static void
test_flags_in_place (void)
{
  Unit unit;
  gint64 inbox;
  g_autoptr(GListModel) list = NULL;
  g_autoptr(Mirror) mirror = NULL;
  g_autoptr(GPtrArray) notified = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GError) error = NULL;
  HeronMessage *item;
  const gint64 uid = 7;

  unit_init (&unit, "flags");
  inbox = unit_add_folder (&unit, "INBOX");
  insert_range (&unit, inbox, 1, 10, BASE_DATE, 60);
  list = heron_folder_get_messages (unit_folder (&unit, "INBOX"));
  mirror = mirror_new (list);
  item = g_ptr_array_index (mirror->items, 3);
  g_assert_cmpint (heron_message_get_uid (item), ==, uid);
  g_assert_false (heron_message_get_seen (item));
  g_signal_connect (item, "notify", G_CALLBACK (on_notify), notified);

  g_assert_true (heron_store_change_flags (unit.store, inbox, &uid, 1,
                                           HERON_STORE_FLAG_SEEN | HERON_STORE_FLAG_FLAGGED, 0,
                                           NULL, NULL, &error));
  drain ();
  g_assert_cmpuint (mirror->changes->len, ==, 0);
  g_assert_true (heron_message_get_seen (item));
  g_assert_true (heron_message_get_flagged (item));
  g_assert_true (g_ptr_array_find_with_equal_func (notified, "seen", g_str_equal, NULL));
  g_assert_true (g_ptr_array_find_with_equal_func (notified, "flagged", g_str_equal, NULL));
  g_assert_true (g_ptr_array_find_with_equal_func (notified, "flags", g_str_equal, NULL));
  g_assert_false (g_ptr_array_find_with_equal_func (notified, "answered", g_str_equal, NULL));
  assert_mirror_is_cache (mirror, unit.store_path, inbox);

  /* and a row read afterwards (another window) carries the new flags too */
  g_signal_handlers_disconnect_by_data (item, notified);
  g_clear_pointer (&mirror, mirror_free);
  g_clear_object (&list);
  unit_clear (&unit);
}

/* A batch too big to place one by one: one hunk over the span it covers */
static void
test_big_batch (void)
{
  Unit unit;
  gint64 inbox;
  g_autoptr(GListModel) list = NULL;
  g_autoptr(Mirror) mirror = NULL;
  g_autoptr(GError) error = NULL;

  unit_init (&unit, "big-batch");
  inbox = unit_add_folder (&unit, "INBOX");
  insert_range (&unit, inbox, 1, 1000, BASE_DATE, 60);
  list = heron_folder_get_messages (unit_folder (&unit, "INBOX"));
  mirror = mirror_new (list);

  /* 300 new ones between uids 600 and 700 by date, and 100 removed among 650..749 */
  g_assert_true (heron_store_begin_batch (unit.store, &error));
  insert_range (&unit, inbox, 2001, 300, BASE_DATE + 600 * 60 - 2001 * 20, 20);
  {
    g_autoptr(GArray) uids = g_array_new (FALSE, FALSE, sizeof (gint64));

    for (gint64 uid = 650; uid < 750; uid++)
      g_array_append_val (uids, uid);
    remove_uids (&unit, inbox, (gint64 *) uids->data, uids->len);
  }
  g_assert_true (heron_store_commit_batch (unit.store, &error));
  drain ();
  g_assert_cmpuint (mirror->changes->len / 3, ==, 1);
  /* from the newest removed (749, at 1000 - 749 = 251) to the oldest added (at 1000 - 600 + 100 - 100 ...) */
  /* from the newest removed (749, at 251) to the oldest added (2001, at 599 in the new list):
   * 149 old items (100 removed, 49 kept) become 349 (300 added, the same 49) */
  assert_change (mirror, 0, 251, 149, 349);
  assert_mirror_is_cache (mirror, unit.store_path, inbox);

  g_clear_pointer (&mirror, mirror_free);
  g_clear_object (&list);
  unit_clear (&unit);
}

/* The cache is ahead of the events: the list waits for them and stays exact */
static void
test_ahead_of_events (void)
{
  Unit unit;
  gint64 inbox;
  g_autoptr(GListModel) list = NULL;
  g_autoptr(Mirror) mirror = NULL;

  unit_init (&unit, "ahead");
  inbox = unit_add_folder (&unit, "INBOX");
  insert_range (&unit, inbox, 1, 50, BASE_DATE, 60);
  list = heron_folder_get_messages (unit_folder (&unit, "INBOX"));
  mirror = mirror_new (list);

  /* commit 1 (an addition) is delivered; commit 2 (a removal) is made before the list reads,
   * its event held back */
  insert_one (&unit, inbox, 60, BASE_DATE + 60 * 60);
  unit.hold = TRUE;
  {
    const gint64 uid = 10;
    /* the flush of commit 1 is queued; the removal commits before it runs */
    g_assert_cmpuint (unit.queued->len, >, 0);
    {
      g_autoptr(GPtrArray) first = g_steal_pointer (&unit.queued);

      unit.queued = g_ptr_array_new_with_free_func ((GDestroyNotify) heron_sync_event_free);
      remove_uids (&unit, inbox, &uid, 1);
      /* deliver commit 1's events only */
      g_clear_handle_id (&unit.flush_id, g_source_remove);
      for (guint i = 0; i < first->len; i++)
        g_signal_emit_by_name (_heron_account_get_worker (unit.account), "event", g_ptr_array_index (first, i));
    }
  }
  drain ();
  /* the list saw a state it could not explain and waits: nothing changed yet */
  g_assert_cmpuint (mirror->changes->len, ==, 0);
  g_assert_cmpuint (g_list_model_get_n_items (list), ==, 50);
  mirror_check_positions (mirror);

  unit_release (&unit);
  drain ();
  g_assert_cmpuint (mirror->changes->len / 3, ==, 2);
  assert_change (mirror, 0, 0, 0, 1);
  assert_change (mirror, 1, 41, 1, 0);
  assert_mirror_is_cache (mirror, unit.store_path, inbox);

  g_clear_pointer (&mirror, mirror_free);
  g_clear_object (&list);
  unit_clear (&unit);
}

/* The event that would explain the cache never comes: the list reads everything again */

typedef struct {
  Mirror *mirror;
  guint   n_changes;
} ChangesWait;

static gboolean
check_changes (gconstpointer data)
{
  const ChangesWait *wait = data;
  return wait->mirror->changes->len / 3 >= wait->n_changes;
}

static void
test_lost_event (void)
{
  Unit unit;
  gint64 inbox;
  g_autoptr(GListModel) list = NULL;
  g_autoptr(Mirror) mirror = NULL;
  ChangesWait wait;

  unit_init (&unit, "lost-event");
  inbox = unit_add_folder (&unit, "INBOX");
  insert_range (&unit, inbox, 1, 50, BASE_DATE, 60);
  list = heron_folder_get_messages (unit_folder (&unit, "INBOX"));
  mirror = mirror_new (list);

  insert_one (&unit, inbox, 60, BASE_DATE + 60 * 60);
  unit.hold = TRUE;
  {
    g_autoptr(GPtrArray) first = g_steal_pointer (&unit.queued);
    const gint64 uid = 10;

    unit.queued = g_ptr_array_new_with_free_func ((GDestroyNotify) heron_sync_event_free);
    remove_uids (&unit, inbox, &uid, 1);
    g_clear_handle_id (&unit.flush_id, g_source_remove);
    for (guint i = 0; i < first->len; i++)
      g_signal_emit_by_name (_heron_account_get_worker (unit.account), "event", g_ptr_array_index (first, i));
    /* the removal's events are lost */
    g_ptr_array_set_size (unit.queued, 0);
  }
  drain ();
  g_assert_cmpuint (mirror->changes->len, ==, 0);

  wait.mirror = mirror;
  wait.n_changes = 1;
  wait_until (check_changes, &wait, "the list to read the cache again");
  assert_change (mirror, 0, 0, 50, 50);
  assert_mirror_is_cache (mirror, unit.store_path, inbox);

  g_clear_pointer (&mirror, mirror_free);
  g_clear_object (&list);
  unit_clear (&unit);
}

/* 100,000 messages: any position at once, and memory that does not grow with scrolling */

static guint n_alive;

static void
on_message_gone (gpointer  data,
                 GObject  *where_the_object_was)
{
  n_alive--;
}

static void
test_large_folder (void)
{
  const guint n = 100000;
  Unit unit;
  gint64 inbox;
  g_autoptr(GListModel) list = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GHashTable) seen = g_hash_table_new (NULL, NULL);
  GRand *rand = g_rand_new_with_seed (42);
  guint max_alive = 0;

  unit_init (&unit, "large");
  inbox = unit_add_folder (&unit, "INBOX");
  for (guint first = 1; first <= n; first += 5000)
    insert_range (&unit, inbox, first, 5000, BASE_DATE, 30);
  drain ();

  list = heron_folder_get_messages (unit_folder (&unit, "INBOX"));
  g_assert_cmpuint (g_list_model_get_n_items (list), ==, n);

  /* jumps anywhere */
  for (guint i = 0; i < 200; i++)
    {
      guint position = g_rand_int_range (rand, 0, n);
      g_autoptr(HeronMessage) item = g_list_model_get_item (list, position);

      g_assert_cmpint (heron_message_get_uid (item), ==, n - position);
    }
  {
    g_autoptr(HeronMessage) last = g_list_model_get_item (list, n - 1);
    g_autoptr(HeronMessage) first = g_list_model_get_item (list, 0);

    g_assert_cmpint (heron_message_get_uid (last), ==, 1);
    g_assert_cmpint (heron_message_get_uid (first), ==, n);
    g_assert_cmpint (heron_message_list_find (HERON_MESSAGE_LIST (list), last), ==, n - 1);
  }

  /* scrolling through everything, holding a screen of 50 as a view would */
  n_alive = 0;
  {
    g_autoptr(GPtrArray) screen = g_ptr_array_new_with_free_func (g_object_unref);

    for (guint position = 0; position < n; position++)
      {
        HeronMessage *item = g_list_model_get_item (list, position);

        g_assert_cmpint (heron_message_get_uid (item), ==, n - position);
        if (!g_hash_table_contains (seen, item))
          {
            g_hash_table_add (seen, item);
            g_object_weak_ref (G_OBJECT (item), on_message_gone, NULL);
            n_alive++;
          }
        g_ptr_array_add (screen, item);
        if (screen->len > 50)
          {
            HeronMessage *gone = g_ptr_array_index (screen, 0);

            g_hash_table_remove (seen, gone);   /* an address may be reused */
            g_ptr_array_remove_index (screen, 0);
          }
        max_alive = MAX (max_alive, n_alive);
      }
  }
  /* the ring of recent objects and the screen, nothing per row */
  g_assert_cmpuint (max_alive, <=, 256 + 51);
  g_test_message ("at most %u HeronMessage alive while scrolling through %u", max_alive, n);

  g_rand_free (rand);
  g_clear_object (&list);
  g_assert_cmpuint (n_alive, ==, 0);
  unit_clear (&unit);
}

/* The mirror holds the two folders of the cache merged newest first (the higher UID first
 * between equal dates, INBOX first between equal keys). */
static void
check_merged (Mirror       *mirror,
              Unit         *unit,
              gint64        inbox,
              gint64        work,
              HeronFolder **folders)
{
  g_autoptr(GPtrArray) a = cache_rows (unit->store_path, inbox);
  g_autoptr(GPtrArray) b = cache_rows (unit->store_path, work);
  guint i = 0, j = 0;

  g_assert_cmpuint (mirror->items->len, ==, a->len + b->len);
  for (guint p = 0; p < mirror->items->len; p++)
    {
      HeronMessage *item = g_ptr_array_index (mirror->items, p);
      const HeronStoreMessage *x = i < a->len ? g_ptr_array_index (a, i) : NULL;
      const HeronStoreMessage *y = j < b->len ? g_ptr_array_index (b, j) : NULL;
      gboolean take_a = y == NULL || (x != NULL && (x->date > y->date || (x->date == y->date && x->uid >= y->uid)));
      const HeronStoreMessage *want = take_a ? x : y;

      if (take_a)
        i++;
      else
        j++;
      g_assert_cmpint (heron_message_get_uid (item), ==, want->uid);
      g_assert_true (heron_message_get_folder (item) == folders[take_a ? 0 : 1]);
      g_assert_cmpuint (heron_message_get_flags (item), ==, want->flags);
    }
  mirror_check_positions (mirror);
}

/* Two folders merged newest first, and kept merged through changes in both */
static void
test_merged (void)
{
  Unit unit;
  gint64 inbox, work;
  g_autoptr(GListModel) list = NULL;
  g_autoptr(Mirror) mirror = NULL;
  HeronFolder *folders[2];

  unit_init (&unit, "merged");
  inbox = unit_add_folder (&unit, "INBOX");
  work = unit_add_folder (&unit, "Work");
  insert_range (&unit, inbox, 1, 300, BASE_DATE, 60);        /* every minute */
  insert_range (&unit, work, 1, 200, BASE_DATE + 7, 90);      /* every 90 s, the same UIDs */
  folders[0] = unit_folder (&unit, "INBOX");
  folders[1] = unit_folder (&unit, "Work");
  list = G_LIST_MODEL (heron_message_list_new_merged (folders, 2));
  g_assert_cmpuint (g_list_model_get_n_items (list), ==, 500);



  /* only the top was built so far: a view asks for what it shows */
  {
    g_autoptr(HeronMessage) top = g_list_model_get_item (list, 0);
    g_autoptr(HeronMessage) second = g_list_model_get_item (list, 1);

    /* Work 200 (BASE + 18007) above INBOX 300 (BASE + 18000) */
    g_assert_cmpint (heron_message_get_uid (top), ==, 200);
    g_assert_true (heron_message_get_folder (top) == folders[1]);
    g_assert_cmpint (heron_message_get_uid (second), ==, 300);
    g_assert_true (heron_message_get_folder (second) == folders[0]);
  }
  mirror = mirror_new (list);
  check_merged (mirror, &unit, inbox, work, folders);

  /* new mail in Work at the top, one in INBOX in the middle, removals in both */
  insert_one (&unit, work, 500, BASE_DATE + 400 * 60);
  drain ();
  assert_change (mirror, 0, 0, 0, 1);
  check_merged (mirror, &unit, inbox, work, folders);
  insert_one (&unit, inbox, 400, BASE_DATE + 100 * 60 + 1);
  drain ();
  check_merged (mirror, &unit, inbox, work, folders);
  {
    const gint64 a[] = { 5, 150, 299 };
    const gint64 b[] = { 2, 100 };

    remove_uids (&unit, inbox, a, G_N_ELEMENTS (a));
    remove_uids (&unit, work, b, G_N_ELEMENTS (b));
  }
  drain ();
  check_merged (mirror, &unit, inbox, work, folders);
  {
    g_autoptr(GError) error = NULL;
    const gint64 uid = 120;

    g_assert_true (heron_store_change_flags (unit.store, work, &uid, 1, HERON_STORE_FLAG_SEEN, 0, NULL, NULL, &error));
  }
  drain ();
  check_merged (mirror, &unit, inbox, work, folders);

  g_clear_pointer (&mirror, mirror_free);
  g_clear_object (&list);
  unit_clear (&unit);
}

/* A merged list of which only the top was ever read: changes below it are one hunk over the
 * tail, and the merged order is still exact afterwards. */
static void
test_merged_partial (void)
{
  Unit unit;
  gint64 inbox, work;
  g_autoptr(GListModel) list = NULL;
  g_autoptr(Mirror) mirror = NULL;
  HeronFolder *folders[2];

  unit_init (&unit, "merged-partial");
  inbox = unit_add_folder (&unit, "INBOX");
  work = unit_add_folder (&unit, "Work");
  insert_range (&unit, inbox, 1, 2000, BASE_DATE, 60);
  insert_range (&unit, work, 1, 2000, BASE_DATE + 30, 60);
  folders[0] = unit_folder (&unit, "INBOX");
  folders[1] = unit_folder (&unit, "Work");
  list = G_LIST_MODEL (heron_message_list_new_merged (folders, 2));
  {
    g_autoptr(HeronMessage) item = g_list_model_get_item (list, 10);
    g_assert_cmpint (heron_message_get_uid (item), ==, 1995);
    g_assert_true (heron_message_get_folder (item) == folders[1]);
  }
  /* a removal and an addition far below what was read */
  {
    const gint64 uid = 3;
    remove_uids (&unit, inbox, &uid, 1);
  }
  insert_one (&unit, work, 5000, BASE_DATE + 10);
  drain ();
  g_assert_cmpuint (g_list_model_get_n_items (list), ==, 4000);
  {
    g_autoptr(HeronMessage) last = g_list_model_get_item (list, 3999);
    g_autoptr(HeronMessage) before = g_list_model_get_item (list, 3998);

    g_assert_cmpint (heron_message_get_uid (last), ==, 5000);
    g_assert_true (heron_message_get_folder (last) == folders[1]);
    g_assert_cmpint (heron_message_get_uid (before), ==, 1);
    g_assert_true (heron_message_get_folder (before) == folders[0]);
  }
  mirror = mirror_new (list);
  check_merged (mirror, &unit, inbox, work, folders);
  /* and a change near the top once everything was read */
  insert_one (&unit, inbox, 6000, BASE_DATE + 1999 * 60 + 1);
  drain ();
  assert_change (mirror, 0, 3, 0, 1);
  check_merged (mirror, &unit, inbox, work, folders);
  g_clear_pointer (&mirror, mirror_free);
  g_clear_object (&list);
  unit_clear (&unit);
}

/* A big batch in a merged list: one hunk from the first position that differs */
static void
test_merged_big_batch (void)
{
  Unit unit;
  gint64 inbox, work;
  g_autoptr(GListModel) list = NULL;
  g_autoptr(Mirror) mirror = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) before = NULL;
  HeronFolder *folders[2];
  guint first = 0;

  unit_init (&unit, "merged-big-batch");
  inbox = unit_add_folder (&unit, "INBOX");
  work = unit_add_folder (&unit, "Work");
  insert_range (&unit, inbox, 1, 500, BASE_DATE, 60);
  insert_range (&unit, work, 1, 500, BASE_DATE + 30, 60);
  folders[0] = unit_folder (&unit, "INBOX");
  folders[1] = unit_folder (&unit, "Work");
  list = G_LIST_MODEL (heron_message_list_new_merged (folders, 2));
  mirror = mirror_new (list);
  before = g_ptr_array_copy (mirror->items, (GCopyFunc) g_object_ref, NULL);
  g_ptr_array_set_free_func (before, g_object_unref);

  /* 100 new ones in Work among uids 200..300 of both, 70 removed from INBOX below them */
  g_assert_true (heron_store_begin_batch (unit.store, &error));
  insert_range (&unit, work, 1001, 100, BASE_DATE + 200 * 60 - 1001 * 60 + 7, 60);
  {
    g_autoptr(GArray) uids = g_array_new (FALSE, FALSE, sizeof (gint64));

    for (gint64 uid = 100; uid < 170; uid++)
      g_array_append_val (uids, uid);
    remove_uids (&unit, inbox, (gint64 *) uids->data, uids->len);
  }
  g_assert_true (heron_store_commit_batch (unit.store, &error));
  drain ();

  g_assert_cmpuint (mirror->changes->len / 3, ==, 1);
  check_merged (mirror, &unit, inbox, work, folders);
  while (first < before->len && first < mirror->items->len &&
         g_ptr_array_index (before, first) == g_ptr_array_index (mirror->items, first))
    first++;
  /* the hunk starts where the two orders first differ: the objects above it are the same */
  assert_change (mirror, 0, first, 1000 - first, 1030 - first);
  g_assert_cmpuint (first, >, 300);

  g_clear_pointer (&mirror, mirror_free);
  g_clear_object (&list);
  unit_clear (&unit);
}

/* Conversations: one item each, its newest message; get_conversation oldest first */
static void
test_threaded (void)
{
  Unit unit;
  gint64 inbox, sent;
  g_autoptr(GListModel) list = NULL;
  g_autoptr(Mirror) mirror = NULL;
  g_autoptr(GError) error = NULL;
  struct {
    gint64      folder;
    gint64      uid;
    gint64      date;
    const char *id;
    const char *references;
  } messages[] = {
    { 0, 1, 100, "a1@t", NULL },
    { 0, 2, 200, "b1@t", NULL },
    { 0, 3, 300, "a2@t", "<a1@t>" },
    { 0, 4, 400, "c1@t", NULL },
    { 1, 1, 500, "b2@t", "<b1@t>" },        /* a reply in Sent */
    { 0, 5, 600, "a3@t", "<a1@t> <a2@t>" },
  };

  unit_init (&unit, "threaded");
  inbox = unit_add_folder (&unit, "INBOX");
  sent = unit_add_folder (&unit, "Sent");
  for (guint i = 0; i < G_N_ELEMENTS (messages); i++)
    {
      g_autoptr(HeronStoreMessage) row = make_row (messages[i].uid, BASE_DATE + messages[i].date, messages[i].id,
                                                   "Ana", "ana@example.org", messages[i].id, messages[i].references);
      HeronStoreMessage *rows[] = { row };

      g_assert_true (heron_store_upsert_messages (unit.store, messages[i].folder ? sent : inbox, rows, 1, &error));
    }

  list = heron_folder_get_messages (unit_folder (&unit, "INBOX"));
  g_assert_cmpuint (g_list_model_get_n_items (list), ==, 5);
  mirror = mirror_new (list);
  heron_message_list_set_threaded (HERON_MESSAGE_LIST (list), TRUE);
  g_assert_true (heron_message_list_get_threaded (HERON_MESSAGE_LIST (list)));
  assert_change (mirror, 0, 0, 5, 3);
  /* a (uid 5), c (4), b (2) */
  g_assert_cmpint (heron_message_get_uid (g_ptr_array_index (mirror->items, 0)), ==, 5);
  g_assert_cmpint (heron_message_get_uid (g_ptr_array_index (mirror->items, 1)), ==, 4);
  g_assert_cmpint (heron_message_get_uid (g_ptr_array_index (mirror->items, 2)), ==, 2);
  {
    g_autoptr(GListModel) conversation = heron_message_list_get_conversation (HERON_MESSAGE_LIST (list),
                                                                             g_ptr_array_index (mirror->items, 0));
    g_autoptr(GListModel) other = heron_message_list_get_conversation (HERON_MESSAGE_LIST (list),
                                                                      g_ptr_array_index (mirror->items, 2));
    g_autoptr(HeronMessage) last = NULL;
    g_autoptr(HeronMessage) reply = NULL;

    g_assert_cmpuint (g_list_model_get_n_items (conversation), ==, 3);
    for (guint i = 0; i < 3; i++)
      {
        static const gint64 expected[] = { 1, 3, 5 };
        g_autoptr(HeronMessage) item = g_list_model_get_item (conversation, i);

        g_assert_cmpint (heron_message_get_uid (item), ==, expected[i]);
      }
    last = g_list_model_get_item (conversation, 2);
    g_assert_true (last == g_ptr_array_index (mirror->items, 0));
    /* the reply in Sent belongs to b's conversation */
    g_assert_cmpuint (g_list_model_get_n_items (other), ==, 2);
    reply = g_list_model_get_item (other, 1);
    g_assert_cmpint (heron_message_get_uid (reply), ==, 1);
    g_assert_true (heron_message_get_folder (reply) == unit_folder (&unit, "Sent"));
  }
  g_assert_cmpint (heron_message_list_find (HERON_MESSAGE_LIST (list), g_ptr_array_index (mirror->items, 1)), ==, 1);

  /* a new message in c's conversation brings it to the top */
  {
    g_autoptr(HeronStoreMessage) row = make_row (6, BASE_DATE + 700, "c2@t", "Ana", "ana@example.org", "c2@t", "<c1@t>");
    HeronStoreMessage *rows[] = { row };

    g_assert_true (heron_store_upsert_messages (unit.store, inbox, rows, 1, &error));
  }
  drain ();
  g_assert_cmpuint (g_list_model_get_n_items (list), ==, 3);
  g_assert_cmpint (heron_message_get_uid (g_ptr_array_index (mirror->items, 0)), ==, 6);
  g_assert_cmpint (heron_message_get_uid (g_ptr_array_index (mirror->items, 1)), ==, 5);
  g_assert_cmpint (heron_message_get_uid (g_ptr_array_index (mirror->items, 2)), ==, 2);
  mirror_check_positions (mirror);

  heron_message_list_set_threaded (HERON_MESSAGE_LIST (list), FALSE);
  g_assert_cmpuint (g_list_model_get_n_items (list), ==, 6);
  assert_mirror_is_cache (mirror, unit.store_path, inbox);

  g_clear_pointer (&mirror, mirror_free);
  g_clear_object (&list);
  unit_clear (&unit);
}

/* The threaded view follows small changes without a pass over the folder: after each random
 * change it is what a new threaded list of the same folders shows. */

static void
assert_same_items (Mirror      *mirror,
                   GListModel  *fresh)
{
  g_assert_cmpuint (mirror->items->len, ==, g_list_model_get_n_items (fresh));
  for (guint i = 0; i < mirror->items->len; i++)
    {
      g_autoptr(HeronMessage) want = g_list_model_get_item (fresh, i);
      HeronMessage *have = g_ptr_array_index (mirror->items, i);

      g_assert_cmpint (heron_message_get_uid (have), ==, heron_message_get_uid (want));
      g_assert_true (heron_message_get_folder (have) == heron_message_get_folder (want));
    }
  mirror_check_positions (mirror);
}

static void
insert_threaded (Unit   *unit,
                 gint64  folder_id,
                 gint64  uid,
                 gint64  date,
                 guint   conversation)
{
  g_autofree char *id = g_strdup_printf ("t%" G_GINT64_FORMAT ".%" G_GINT64_FORMAT "@t", folder_id, uid);
  g_autofree char *references = g_strdup_printf ("<root%u@t>", conversation);
  g_autoptr(HeronStoreMessage) row = make_row (uid, date, id, "Ana", "ana@example.org", id, references);
  HeronStoreMessage *rows[] = { row };
  g_autoptr(GError) error = NULL;

  g_assert_true (heron_store_upsert_messages (unit->store, folder_id, rows, 1, &error));
  g_assert_no_error (error);
}

static void
test_threaded_changes (void)
{
  Unit unit;
  gint64 ids[2];
  HeronFolder *folders[2];
  g_autoptr(GListModel) single = NULL;
  g_autoptr(GListModel) merged = NULL;
  g_autoptr(Mirror) single_mirror = NULL;
  g_autoptr(Mirror) merged_mirror = NULL;
  g_autoptr(GError) error = NULL;
  GRand *rand = g_rand_new_with_seed (11);
  gint64 next_uid[2] = { 1, 1 };
  GArray *present[2] = { g_array_new (FALSE, FALSE, sizeof (gint64)), g_array_new (FALSE, FALSE, sizeof (gint64)) };

  unit_init (&unit, "threaded-changes");
  ids[0] = unit_add_folder (&unit, "INBOX");
  ids[1] = unit_add_folder (&unit, "Work");
  g_assert_true (heron_store_begin_batch (unit.store, &error));
  for (guint i = 0; i < 300; i++)
    {
      guint f = i % 3 == 0;

      insert_threaded (&unit, ids[f], next_uid[f], BASE_DATE + g_rand_int_range (rand, 0, 100000), g_rand_int_range (rand, 0, 60));
      g_array_append_val (present[f], next_uid[f]);
      next_uid[f]++;
    }
  g_assert_true (heron_store_commit_batch (unit.store, &error));
  folders[0] = unit_folder (&unit, "INBOX");
  folders[1] = unit_folder (&unit, "Work");

  single = G_LIST_MODEL (heron_message_list_new_merged (folders, 1));
  merged = G_LIST_MODEL (heron_message_list_new_merged (folders, 2));
  heron_message_list_set_threaded (HERON_MESSAGE_LIST (single), TRUE);
  heron_message_list_set_threaded (HERON_MESSAGE_LIST (merged), TRUE);
  single_mirror = mirror_new (single);
  merged_mirror = mirror_new (merged);

  for (guint round = 0; round < 60; round++)
    {
      guint n_add = g_rand_int_range (rand, 0, 4);
      guint n_remove = g_rand_int_range (rand, 0, 4);

      g_assert_true (heron_store_begin_batch (unit.store, &error));
      for (guint i = 0; i < n_add; i++)
        {
          guint f = g_rand_int_range (rand, 0, 2);
          /* mostly new mail, sometimes old; sometimes a new conversation */
          gint64 date = g_rand_int_range (rand, 0, 4) == 0 ? BASE_DATE + g_rand_int_range (rand, 0, 100000)
                                                            : BASE_DATE + 100000 + round * 100 + i;
          guint conversation = g_rand_int_range (rand, 0, 8) == 0 ? 1000 + round * 10 + i
                                                                  : (guint) g_rand_int_range (rand, 0, 60);

          insert_threaded (&unit, ids[f], next_uid[f], date, conversation);
          g_array_append_val (present[f], next_uid[f]);
          next_uid[f]++;
        }
      for (guint i = 0; i < n_remove; i++)
        {
          guint f = g_rand_int_range (rand, 0, 2);
          guint at;
          gint64 uid;

          if (present[f]->len == 0)
            continue;
          at = g_rand_int_range (rand, 0, present[f]->len);
          uid = g_array_index (present[f], gint64, at);
          g_array_remove_index_fast (present[f], at);
          remove_uids (&unit, ids[f], &uid, 1);
        }
      g_assert_true (heron_store_commit_batch (unit.store, &error));
      drain ();

      {
        g_autoptr(GListModel) fresh_single = G_LIST_MODEL (heron_message_list_new_merged (folders, 1));
        g_autoptr(GListModel) fresh_merged = G_LIST_MODEL (heron_message_list_new_merged (folders, 2));

        heron_message_list_set_threaded (HERON_MESSAGE_LIST (fresh_single), TRUE);
        heron_message_list_set_threaded (HERON_MESSAGE_LIST (fresh_merged), TRUE);
        assert_same_items (single_mirror, fresh_single);
        assert_same_items (merged_mirror, fresh_merged);
      }
    }

  g_rand_free (rand);
  g_array_unref (present[0]);
  g_array_unref (present[1]);
  g_clear_pointer (&single_mirror, mirror_free);
  g_clear_pointer (&merged_mirror, mirror_free);
  g_clear_object (&single);
  g_clear_object (&merged);
  unit_clear (&unit);
}

/* 100,000 messages in 30,000 conversations: the threaded list reads a page, not the folder */
static void
test_threaded_large (void)
{
  const guint n = 100000, n_conversations = 30000;
  Unit unit;
  gint64 inbox;
  g_autoptr(GListModel) list = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GHashTable) seen = g_hash_table_new (NULL, NULL);
  g_autoptr(GHashTable) conversations = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  HeronMessageList *self;
  guint max_alive = 0;
  gint64 last_date = G_MAXINT64;

  unit_init (&unit, "threaded-large");
  inbox = unit_add_folder (&unit, "INBOX");
  /* uid u is in conversation u % 30,000, every minute: the newest of conversation c is the
   * largest uid with that remainder */
  for (guint first = 1; first <= n; first += 5000)
    {
      g_autoptr(GPtrArray) batch = g_ptr_array_new_with_free_func ((GDestroyNotify) heron_store_message_free);

      for (guint uid = first; uid < first + 5000; uid++)
        {
          g_autofree char *id = g_strdup_printf ("l%u@t", uid);
          g_autofree char *root = g_strdup_printf ("<root%u@t>", uid % n_conversations);

          g_ptr_array_add (batch, make_row (uid, BASE_DATE + uid * 60, "Large", "Ana", "ana@example.org", id, root));
        }
      g_assert_true (heron_store_upsert_messages (unit.store, inbox, (HeronStoreMessage **) batch->pdata, batch->len, &error));
      g_assert_no_error (error);
    }
  drain ();

  n_alive = 0;
  list = heron_folder_get_messages (unit_folder (&unit, "INBOX"));
  self = HERON_MESSAGE_LIST (list);
  heron_message_list_set_threaded (self, TRUE);
  g_assert_cmpuint (g_list_model_get_n_items (list), ==, n_conversations);
  /* opening it read no row; the first screen reads one page */
  g_assert_cmpuint (((Source *) g_ptr_array_index (self->sources, 0))->rows_read, ==, 0);
  {
    g_autoptr(GPtrArray) screen = g_ptr_array_new_with_free_func (g_object_unref);

    for (guint position = 0; position < 50; position++)
      g_ptr_array_add (screen, g_list_model_get_item (list, position));
    g_assert_cmpuint (((Source *) g_ptr_array_index (self->sources, 0))->rows_read, <=, WINDOW_SIZE);
    /* the newest conversation: uid 100,000 with 10,000, 40,000 and 70,000 */
    g_assert_cmpint (heron_message_get_uid (g_ptr_array_index (screen, 0)), ==, n);
    g_assert_cmpuint (heron_message_get_conversation_size (g_ptr_array_index (screen, 0)), ==, 4);
    g_assert_cmpuint (heron_message_get_conversation_unread (g_ptr_array_index (screen, 0)), ==, 4);
  }

  /* scrolling through every conversation with a screen of 50 held */
  {
    g_autoptr(GPtrArray) screen = g_ptr_array_new_with_free_func (g_object_unref);

    for (guint position = 0; position < n_conversations; position++)
      {
        HeronMessage *item = g_list_model_get_item (list, position);
        gint64 conversation = heron_message_get_conversation_id (item);
        gint64 date = g_date_time_to_unix (heron_message_get_date (item));

        /* newest first, each conversation once, its newest message */
        g_assert_cmpint (date, <=, last_date);
        last_date = date;
        g_assert_false (g_hash_table_contains (conversations, &conversation));
        g_hash_table_add (conversations, g_memdup2 (&conversation, sizeof conversation));
        g_assert_cmpint (heron_message_get_uid (item), >, n - n_conversations);
        if (!g_hash_table_contains (seen, item))
          {
            g_hash_table_add (seen, item);
            g_object_weak_ref (G_OBJECT (item), on_message_gone, NULL);
            n_alive++;
          }
        g_ptr_array_add (screen, item);
        if (screen->len > 50)
          {
            g_hash_table_remove (seen, g_ptr_array_index (screen, 0));
            g_ptr_array_remove_index (screen, 0);
          }
        max_alive = MAX (max_alive, n_alive);
      }
  }
  g_assert_cmpuint (max_alive, <=, 256 + 51);
  g_test_message ("at most %u HeronMessage alive while scrolling through %u conversations", max_alive, n_conversations);

  /* find() gives the conversation's item for any of its messages */
  {
    g_autoptr(HeronStoreMessage) row = heron_store_get_message (unit.store, inbox, 5, &error);
    g_autoptr(HeronMessage) old = NULL;
    g_autoptr(HeronMessage) item = NULL;
    gint position;

    g_assert_no_error (error);
    old = _heron_message_new (unit.account, NULL, row);
    position = heron_message_list_find (self, old);
    g_assert_cmpint (position, >=, 0);
    item = g_list_model_get_item (list, position);
    g_assert_cmpint (heron_message_get_uid (item), ==, 90005);
  }

  g_clear_object (&list);
  g_assert_cmpuint (n_alive, ==, 0);
  unit_clear (&unit);
}

static gint64
unit_add_sent_folder (Unit *unit)
{
  g_autoptr(HeronStoreFolder) info = heron_store_folder_new ();
  g_autoptr(GError) error = NULL;
  gint64 id;

  info->name = g_strdup ("Sent");
  info->display_name = g_strdup ("Sent");
  info->delimiter = '/';
  info->subscribed = TRUE;
  info->special_use = HERON_STORE_SPECIAL_USE_SENT;
  id = heron_store_add_folder (unit->store, info, &error);
  g_assert_no_error (error);
  g_hash_table_insert (unit->folder_names, g_memdup2 (&id, sizeof id), g_strdup ("Sent"));
  return id;
}

static guint n_notified;

static void
on_unread_notify (GObject    *object,
           GParamSpec *pspec,
           gpointer    user_data)
{
  n_notified++;
}

/* A reply one sent brings its conversation to the top of the inbox; flags change the unread
 * counts in place; a message leaving a conversation gives it its next newest item */
static void
test_threaded_sent_and_flags (void)
{
  Unit unit;
  gint64 inbox, sent;
  g_autoptr(GListModel) list = NULL;
  g_autoptr(Mirror) mirror = NULL;
  g_autoptr(GError) error = NULL;
  HeronMessage *top;

  unit_init (&unit, "threaded-sent");
  inbox = unit_add_folder (&unit, "INBOX");
  sent = unit_add_sent_folder (&unit);
  /* 20 conversations of 3 messages each in INBOX: conversation c has uids 3c+1..3c+3 */
  for (guint c = 0; c < 20; c++)
    for (guint k = 1; k <= 3; k++)
      insert_threaded (&unit, inbox, 3 * c + k, BASE_DATE + (3 * c + k) * 60, c);
  list = heron_folder_get_messages (unit_folder (&unit, "INBOX"));
  g_assert_true (heron_folder_get_role (unit_folder (&unit, "Sent")) == HERON_FOLDER_ROLE_SENT);
  heron_message_list_set_threaded (HERON_MESSAGE_LIST (list), TRUE);
  mirror = mirror_new (list);
  g_assert_cmpuint (mirror->items->len, ==, 20);
  /* conversation 19 on top, conversation 5 at position 14 */
  g_assert_cmpint (heron_message_get_uid (g_ptr_array_index (mirror->items, 0)), ==, 60);
  g_assert_cmpint (heron_message_get_uid (g_ptr_array_index (mirror->items, 14)), ==, 18);
  g_assert_cmpuint (heron_message_get_conversation_size (g_ptr_array_index (mirror->items, 14)), ==, 3);

  /* a reply to conversation 5 in Sent: it moves to the top, with the reply as its item */
  insert_threaded (&unit, sent, 1, BASE_DATE + 100 * 60, 5);
  drain ();
  g_assert_cmpuint (mirror->changes->len / 3, ==, 2);
  assert_change (mirror, 0, 0, 0, 1);
  assert_change (mirror, 1, 15, 1, 0);
  top = g_ptr_array_index (mirror->items, 0);
  g_assert_true (heron_message_get_folder (top) == unit_folder (&unit, "Sent"));
  g_assert_cmpint (heron_message_get_uid (top), ==, 1);
  g_assert_cmpuint (heron_message_get_conversation_size (top), ==, 4);
  g_assert_cmpuint (heron_message_get_conversation_unread (top), ==, 4);
  g_assert_cmpuint (g_list_model_get_n_items (list), ==, 20);

  /* reading two messages of it: no items-changed, the count changes on the object */
  g_array_set_size (mirror->changes, 0);
  n_notified = 0;
  g_signal_connect (top, "notify::conversation-unread", G_CALLBACK (on_unread_notify), NULL);
  {
    const gint64 uids[] = { 16, 17 };

    g_assert_true (heron_store_change_flags (unit.store, inbox, uids, 2, HERON_STORE_FLAG_SEEN, 0, NULL, NULL, &error));
  }
  drain ();
  g_assert_cmpuint (mirror->changes->len, ==, 0);
  g_assert_cmpuint (n_notified, ==, 1);
  g_assert_cmpuint (heron_message_get_conversation_unread (top), ==, 2);
  /* the reply itself read (a Sent folder's flag): its object and the count follow */
  {
    const gint64 uid = 1;

    g_assert_true (heron_store_change_flags (unit.store, sent, &uid, 1, HERON_STORE_FLAG_SEEN, 0, NULL, NULL, &error));
  }
  drain ();
  g_assert_cmpuint (mirror->changes->len, ==, 0);
  g_assert_true (heron_message_get_seen (top));
  g_assert_cmpuint (heron_message_get_conversation_unread (top), ==, 1);
  g_signal_handlers_disconnect_by_func (top, on_unread_notify, NULL);

  /* the newest message of conversation 19 expunged: its item is the next one, in place */
  {
    const gint64 uid = 60;

    remove_uids (&unit, inbox, &uid, 1);
  }
  drain ();
  assert_change (mirror, 0, 1, 1, 1);
  g_assert_cmpint (heron_message_get_uid (g_ptr_array_index (mirror->items, 1)), ==, 59);
  g_assert_cmpuint (heron_message_get_conversation_size (g_ptr_array_index (mirror->items, 1)), ==, 2);
  mirror_check_positions (mirror);

  /* every message of conversation 0 goes: one item less */
  {
    const gint64 uids[] = { 1, 2, 3 };

    remove_uids (&unit, inbox, uids, 3);
  }
  drain ();
  assert_change (mirror, 1, 19, 1, 0);
  g_assert_cmpuint (g_list_model_get_n_items (list), ==, 19);

  /* flat again: every message, no conversation counts */
  heron_message_list_set_threaded (HERON_MESSAGE_LIST (list), FALSE);
  g_assert_cmpuint (g_list_model_get_n_items (list), ==, 56);
  for (guint i = 0; i < mirror->items->len; i++)
    g_assert_cmpuint (heron_message_get_conversation_size (g_ptr_array_index (mirror->items, i)), ==, 0);
  assert_mirror_is_cache (mirror, unit.store_path, inbox);

  g_clear_pointer (&mirror, mirror_free);
  g_clear_object (&list);
  unit_clear (&unit);
}

/* Loading: a local body renders; a body that is not local needs the server */

static const char seeded_source[] =
  "From: Ana Lima <ana@example.org>\r\n"
  "To: List Test <list@example.test>\r\n"
  "Subject: Lunch on Friday\r\n"
  "Date: Tue, 14 Nov 2023 22:13:20 +0000\r\n"
  "Message-ID: <lunch@list.test>\r\n"
  "MIME-Version: 1.0\r\n"
  "Content-Type: text/plain; charset=utf-8\r\n"
  "Content-Transfer-Encoding: 8bit\r\n"
  "\r\n"
  "Shall we meet at the caf\xc3\xa9 at noon?\r\n";

static void
test_load (void)
{
  Unit unit;
  gint64 inbox;
  g_autoptr(GListModel) list = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(HeronMessage) item = NULL;
  g_autoptr(HeronMimeMessage) mime = NULL;
  g_autoptr(GInputStream) stream = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GAsyncResult) source_result = NULL;
  g_autoptr(HeronStoreSourceWriter) writer = NULL;
  Wait wait = { 0 };
  Wait source_wait = { 0 };
  char buffer[sizeof seeded_source + 16];
  gsize n_read = 0;

  unit_init (&unit, "load");
  inbox = unit_add_folder (&unit, "INBOX");
  {
    g_autoptr(HeronStoreMessage) row = make_row (1, BASE_DATE, "Lunch on Friday", "Ana Lima", "ana@example.org",
                                                 "lunch@list.test", NULL);
    HeronStoreMessage *rows[] = { row };

    g_assert_true (heron_store_upsert_messages (unit.store, inbox, rows, 1, &error));
  }
  list = heron_folder_get_messages (unit_folder (&unit, "INBOX"));
  item = g_list_model_get_item (list, 0);
  g_assert_false (heron_message_get_body_local (item));

  /* the body arrives (as a prefetch would store it) */
  writer = heron_store_source_writer_new (unit.store, &error);
  g_assert_no_error (error);
  g_assert_true (heron_store_source_writer_write (writer, seeded_source, strlen (seeded_source), &error));
  g_assert_true (heron_store_source_writer_close (writer, &error));
  g_assert_true (heron_store_set_body (unit.store, inbox, 1, writer, "Shall we meet at the café at noon?", &error));
  g_assert_no_error (error);
  drain ();
  g_assert_true (heron_message_get_body_local (item));
  g_assert_cmpstr (heron_message_get_snippet (item), !=, NULL);

  heron_message_load_async (item, NULL, on_done, &wait);
  result = await (&wait, "load");
  mime = heron_message_load_finish (item, result, &error);
  g_assert_no_error (error);
  g_assert_true (HERON_IS_MIME_MESSAGE (mime));
  g_assert_cmpstr (heron_mime_message_get_subject (mime), ==, "Lunch on Friday");
  g_assert_nonnull (strstr (heron_mime_message_get_text (mime), "caf\xc3\xa9 at noon"));

  heron_message_open_source_async (item, NULL, on_done, &source_wait);
  source_result = await (&source_wait, "open source");
  stream = heron_message_open_source_finish (item, source_result, &error);
  g_assert_no_error (error);
  g_assert_true (g_input_stream_read_all (stream, buffer, sizeof buffer, &n_read, NULL, &error));
  g_assert_cmpuint (n_read, ==, strlen (seeded_source));
  g_assert_cmpmem (buffer, n_read, seeded_source, strlen (seeded_source));

  /* a message of the seed corpus renders as backend/mime renders it directly */
  {
    HeronSeedSpec spec = { 1, 0, 20, 0, HERON_SEED_DEFAULT_OWNER };
    g_autoptr(GBytes) bytes = heron_seed_generate (&spec, 7, NULL, NULL);
    g_autoptr(HeronMimeMessage) direct = heron_mime_message_new_from_bytes (bytes, &error);
    g_autoptr(HeronStoreMessage) row = make_row (2, BASE_DATE - 100, heron_mime_message_get_subject (direct),
                                                 "Seed", "seed@example.test", NULL, NULL);
    HeronStoreMessage *rows[] = { row };
    g_autoptr(HeronStoreSourceWriter) seed_writer = NULL;
    g_autoptr(HeronMessage) seed_item = NULL;
    g_autoptr(HeronMimeMessage) loaded = NULL;
    g_autoptr(GAsyncResult) seed_result = NULL;
    Wait seed_wait = { 0 };

    g_assert_no_error (error);
    g_assert_true (heron_store_upsert_messages (unit.store, inbox, rows, 1, &error));
    seed_writer = heron_store_source_writer_new (unit.store, &error);
    g_assert_true (heron_store_source_writer_write (seed_writer, g_bytes_get_data (bytes, NULL),
                                                    g_bytes_get_size (bytes), &error));
    g_assert_true (heron_store_source_writer_close (seed_writer, &error));
    g_assert_true (heron_store_set_body (unit.store, inbox, 2, seed_writer, NULL, &error));
    g_assert_no_error (error);
    drain ();
    seed_item = g_list_model_get_item (list, 1);
    g_assert_cmpint (heron_message_get_uid (seed_item), ==, 2);
    heron_message_load_async (seed_item, NULL, on_done, &seed_wait);
    seed_result = await (&seed_wait, "load of a seed message");
    loaded = heron_message_load_finish (seed_item, seed_result, &error);
    g_assert_no_error (error);
    g_assert_cmpstr (heron_mime_message_get_subject (loaded), ==, heron_mime_message_get_subject (direct));
    g_assert_cmpstr (heron_mime_message_get_text (loaded), ==, heron_mime_message_get_text (direct));
    g_assert_cmpstr (heron_mime_message_get_sender_display (loaded, NULL), ==,
                     heron_mime_message_get_sender_display (direct, NULL));
  }

  g_clear_object (&list);
  unit_clear (&unit);
}

static void
test_load_offline (void)
{
  Unit unit;
  gint64 inbox;
  g_autoptr(GListModel) list = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(HeronMessage) item = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GAsyncResult) source_result = NULL;
  Wait wait = { 0 };
  Wait source_wait = { 0 };

  unit_init (&unit, "load-offline");
  inbox = unit_add_folder (&unit, "INBOX");
  insert_range (&unit, inbox, 1, 3, BASE_DATE, 60);
  list = heron_folder_get_messages (unit_folder (&unit, "INBOX"));
  item = g_list_model_get_item (list, 1);

  heron_message_load_async (item, NULL, on_done, &wait);
  result = await (&wait, "load");
  g_assert_null (heron_message_load_finish (item, result, &error));
  g_assert_error (error, HERON_SYNC_ERROR, HERON_SYNC_ERROR_OFFLINE);
  g_clear_error (&error);

  heron_message_open_source_async (item, NULL, on_done, &source_wait);
  source_result = await (&source_wait, "open source");
  g_assert_null (heron_message_open_source_finish (item, source_result, &error));
  g_assert_error (error, HERON_SYNC_ERROR, HERON_SYNC_ERROR_OFFLINE);
  g_clear_error (&error);

  /* a message that left the cache meanwhile: NOT_FOUND, not a crash */
  {
    const gint64 uid = heron_message_get_uid (item);
    g_autoptr(GAsyncResult) gone_result = NULL;
    Wait gone_wait = { 0 };

    remove_uids (&unit, inbox, &uid, 1);
    drain ();
    heron_message_load_async (item, NULL, on_done, &gone_wait);
    gone_result = await (&gone_wait, "load of a removed message");
    g_assert_null (heron_message_load_finish (item, gone_result, &error));
    g_assert_error (error, HERON_STORE_ERROR, HERON_STORE_ERROR_NOT_FOUND);
  }

  g_clear_object (&list);
  unit_clear (&unit);
}

/* Integration: an account on the real Dovecot */

typedef struct {
  char                *user;
  char                *password;
  char                *config_dir;
  char                *data_dir;
  HeronAccountManager *manager;
  HeronAccount        *account;
} Online;

static gboolean
check_online (gconstpointer data)
{
  const Online *online = data;
  return heron_account_get_state (online->account) == HERON_SYNC_STATE_ONLINE &&
         heron_account_lookup_folder (online->account, "INBOX") != NULL;
}

static void
online_start (Online     *online,
              const char *name)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GTlsDatabase) database = NULL;
  g_autoptr(HeronAccountConfig) config = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  HeronAccountServer *imap;
  Wait wait = { 0 };

  memset (online, 0, sizeof *online);
  online->user = g_strdup_printf ("%s@" HERON_TEST_SERVER_DOMAIN, name);
  online->password = g_strdup (heron_test_server_get_user_password (server, online->user));
  online->config_dir = g_build_filename (tmpdir, name, "config", NULL);
  online->data_dir = g_build_filename (tmpdir, name, "data", NULL);

  online->manager = heron_account_manager_new (online->config_dir, online->data_dir);
  database = g_tls_file_database_new (heron_test_server_get_ca_file (server), &error);
  g_assert_no_error (error);
  heron_account_manager_set_tls_database (online->manager, database);
  g_assert_true (heron_account_manager_load (online->manager, NULL, &error));

  config = offline_config (online->user);
  imap = heron_account_config_get_imap (config);
  heron_account_server_set_host (imap, heron_test_server_get_host (server));
  heron_account_server_set_port (imap, heron_test_server_get_imap_port (server));
  heron_account_manager_add_async (online->manager, config, online->password, NULL, on_done, &wait);
  result = await (&wait, "add");
  online->account = heron_account_manager_add_finish (online->manager, result, &error);
  g_assert_no_error (error);
  wait_until (check_online, online, "the account online with its INBOX");
}

static void
online_clear (Online *online)
{
  g_clear_object (&online->account);
  heron_account_manager_shutdown (online->manager);
  g_clear_object (&online->manager);
  drain ();
  g_free (online->user);
  g_free (online->password);
  g_free (online->config_dir);
  g_free (online->data_dir);
}

static void
online_sync (Online *online)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  Wait wait = { 0 };

  heron_account_sync_async (online->account, NULL, NULL, on_done, &wait);
  result = await (&wait, "sync");
  g_assert_true (heron_account_sync_finish (online->account, result, &error));
  g_assert_no_error (error);
}

static guint32
deliver (Online     *online,
         const char *subject,
         const char *body,
         guint       day)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *text = g_strdup_printf ("From: Bob <bob@example.net>\r\n"
                                           "To: %s\r\n"
                                           "Subject: %s\r\n"
                                           "Date: %u Nov 2024 09:30:00 +0000\r\n"
                                           "Message-ID: <%s.%u@list.test>\r\n"
                                           "\r\n"
                                           "%s\r\n", online->user, subject, day, subject, g_random_int (), body);
  g_autoptr(GBytes) bytes = g_bytes_new (text, strlen (text));
  guint32 uid = heron_test_server_deliver (server, online->user, "INBOX", bytes, NULL, &error);

  g_assert_no_error (error);
  return uid;
}

typedef struct {
  GListModel *model;
  guint       n;
} CountWait;

static gboolean
check_count (gconstpointer data)
{
  const CountWait *wait = data;
  return g_list_model_get_n_items (wait->model) == wait->n;
}

static void
wait_count (GListModel *model,
            guint       n)
{
  CountWait wait = { model, n };
  wait_until (check_count, &wait, "the list's count");
}

static gboolean
check_flagged (gconstpointer data)
{
  return heron_message_get_flagged ((HeronMessage *) data);
}

/* Delivered, expunged and flagged on the server: the list follows with exact positions */
static void
test_server_changes (void)
{
  Online online;
  g_autoptr(GListModel) list = NULL;
  g_autoptr(Mirror) mirror = NULL;
  g_autoptr(GError) error = NULL;
  HeronFolder *inbox;
  guint32 uids[8];
  guint n_changes;

  online_start (&online, "server-changes");
  for (guint i = 0; i < 5; i++)
    {
      g_autofree char *subject = g_strdup_printf ("First%u", i);
      uids[i] = deliver (&online, subject, "Hello.", 1 + i);
    }
  online_sync (&online);
  inbox = heron_account_lookup_folder (online.account, "INBOX");
  list = heron_folder_get_messages (inbox);
  wait_count (list, 5);
  mirror = mirror_new (list);
  assert_mirror_is_cache (mirror, heron_account_get_store_path (online.account), _heron_folder_get_id (inbox));
  g_assert_cmpstr (heron_message_get_subject (g_ptr_array_index (mirror->items, 0)), ==, "First4");

  /* two new ones, the newest at the top and one older than all */
  uids[5] = deliver (&online, "Newest", "Hello.", 20);
  uids[6] = deliver (&online, "Oldest", "Hello.", 1);
  online_sync (&online);
  wait_count (list, 7);
  drain ();
  assert_mirror_is_cache (mirror, heron_account_get_store_path (online.account), _heron_folder_get_id (inbox));
  g_assert_cmpstr (heron_message_get_subject (g_ptr_array_index (mirror->items, 0)), ==, "Newest");
  for (guint i = 0; i < mirror->changes->len / 3; i++)
    g_assert_cmpuint (g_array_index (mirror->changes, guint, 3 * i + 1), ==, 0);   /* nothing removed */

  /* expunged on the server: the one in the middle (First2) */
  n_changes = mirror->changes->len / 3;
  {
    gint position = -1;

    for (guint i = 0; i < mirror->items->len; i++)
      if (g_strcmp0 (heron_message_get_subject (g_ptr_array_index (mirror->items, i)), "First2") == 0)
        position = i;
    g_assert_cmpint (position, >=, 0);
    g_assert_true (heron_test_server_expunge (server, online.user, "INBOX", uids[2], &error));
    g_assert_no_error (error);
    online_sync (&online);
    wait_count (list, 6);
    drain ();
    g_assert_cmpuint (mirror->changes->len / 3, ==, n_changes + 1);
    assert_change (mirror, n_changes, position, 1, 0);
  }
  assert_mirror_is_cache (mirror, heron_account_get_store_path (online.account), _heron_folder_get_id (inbox));

  /* flagged on the server: the object updates in place */
  n_changes = mirror->changes->len / 3;
  {
    HeronMessage *item = NULL;

    for (guint i = 0; i < mirror->items->len; i++)
      if (heron_message_get_uid (g_ptr_array_index (mirror->items, i)) == uids[3])
        item = g_ptr_array_index (mirror->items, i);
    g_assert_nonnull (item);
    g_assert_false (heron_message_get_flagged (item));
    g_assert_true (heron_test_server_add_flags (server, online.user, "INBOX", uids[3], "\\Flagged", &error));
    online_sync (&online);
    wait_until (check_flagged, item, "the flag on the list's object");
    drain ();
    g_assert_cmpuint (mirror->changes->len / 3, ==, n_changes);
  }
  assert_mirror_is_cache (mirror, heron_account_get_store_path (online.account), _heron_folder_get_id (inbox));

  /* the account stops: the list lets go of the cache and its items leave */
  heron_account_manager_shutdown (online.manager);
  g_assert_cmpuint (g_list_model_get_n_items (list), ==, 0);
  g_assert_cmpuint (mirror->items->len, ==, 0);

  g_clear_pointer (&mirror, mirror_free);
  g_clear_object (&list);
  online_clear (&online);
}

typedef struct {
  gboolean done;
  GError  *error;
} SearchWait;

static void
on_search_done (HeronMessageList *list,
                const GError     *error,
                gpointer          user_data)
{
  SearchWait *wait = user_data;

  wait->done = TRUE;
  if (error != NULL)
    wait->error = g_error_copy (error);
}

static gboolean
check_search (gconstpointer data)
{
  return ((const SearchWait *) data)->done;
}

/* The local index at once, then the server's hits */
static void
test_search (void)
{
  Online online;
  g_autoptr(HeronMessageList) search = NULL;
  g_autoptr(Mirror) mirror = NULL;
  SearchWait wait = { 0 };
  HeronFolder *inbox;

  online_start (&online, "search");
  deliver (&online, "Zebrafish news", "Nothing to see.", 3);
  deliver (&online, "Weekly notes", "The zebrafish tank is clean.", 4);
  deliver (&online, "Other", "Nothing.", 5);
  online_sync (&online);
  inbox = heron_account_lookup_folder (online.account, "INBOX");

  /* the subject is in the local index; the body is not local, only the server finds it */
  search = heron_message_list_new_search (online.manager, inbox, "zebrafish");
  g_signal_connect (search, "search-done", G_CALLBACK (on_search_done), &wait);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (search)), ==, 1);
  mirror = mirror_new (G_LIST_MODEL (search));
  g_assert_cmpstr (heron_message_get_subject (g_ptr_array_index (mirror->items, 0)), ==, "Zebrafish news");

  wait_until (check_search, &wait, "search-done");
  g_assert_no_error (wait.error);
  g_assert_cmpuint (mirror->items->len, ==, 2);
  /* newest first: Weekly notes (4 Nov) above Zebrafish news (3 Nov), added at 0 */
  g_assert_cmpstr (heron_message_get_subject (g_ptr_array_index (mirror->items, 0)), ==, "Weekly notes");
  g_assert_cmpstr (heron_message_get_subject (g_ptr_array_index (mirror->items, 1)), ==, "Zebrafish news");
  assert_change (mirror, 0, 0, 0, 1);
  g_assert_cmpint (heron_message_list_find (search, g_ptr_array_index (mirror->items, 1)), ==, 1);

  g_clear_pointer (&mirror, mirror_free);
  g_clear_object (&search);
  online_clear (&online);
}

/* Offline, the search gives the local hits and says the server could not answer */
static void
test_search_offline (void)
{
  Unit unit;
  gint64 inbox;
  g_autoptr(HeronAccountManager) manager = NULL;
  g_autoptr(HeronMessageList) search = NULL;
  g_autoptr(GError) error = NULL;
  SearchWait wait = { 0 };

  unit_init (&unit, "search-offline");
  inbox = unit_add_folder (&unit, "INBOX");
  insert_range (&unit, inbox, 1, 30, BASE_DATE, 60);
  {
    g_autoptr(HeronStoreMessage) row = make_row (100, BASE_DATE + 10, "Quarterly report", "Ana", "ana@example.org",
                                                 "q@t", NULL);
    HeronStoreMessage *rows[] = { row };

    g_assert_true (heron_store_upsert_messages (unit.store, inbox, rows, 1, &error));
  }
  manager = heron_account_manager_new (unit.dir, unit.dir);
  search = heron_message_list_new_search (manager, unit_folder (&unit, "INBOX"), "quarterly");
  g_signal_connect (search, "search-done", G_CALLBACK (on_search_done), &wait);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (search)), ==, 1);
  wait_until (check_search, &wait, "search-done");
  g_assert_error (wait.error, HERON_SYNC_ERROR, HERON_SYNC_ERROR_OFFLINE);
  g_clear_error (&wait.error);
  {
    g_autoptr(HeronMessage) item = g_list_model_get_item (G_LIST_MODEL (search), 0);
    g_assert_cmpstr (heron_message_get_subject (item), ==, "Quarterly report");
  }
  /* a hit that leaves the folder leaves the results */
  {
    const gint64 uid = 100;
    guint before = g_list_model_get_n_items (G_LIST_MODEL (search));

    remove_uids (&unit, inbox, &uid, 1);
    drain ();
    g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (search)), ==, before - 1);
  }
  g_clear_object (&search);
  unit_clear (&unit);
}

/* The Sent folders whose replies join a folder's conversations are the cache's (folders.sent,
 * which the worker sets from the account's configuration): the list follows the same ones as the
 * index, and reads itself again when they change (FOLDERS_CHANGED names no message). */
static void
test_threaded_sent_folders (void)
{
  Unit unit;
  gint64 inbox, sent, outbox;
  HeronFolder *folder;
  g_autoptr(GListModel) list = NULL;
  g_autoptr(Mirror) mirror = NULL;
  g_autoptr(GError) error = NULL;

  unit_init (&unit, "threaded-sent-folders");
  inbox = unit_add_folder (&unit, "INBOX");
  sent = unit_add_sent_folder (&unit);
  outbox = unit_add_folder (&unit, "Outbox");   /* no special use: a server without SPECIAL-USE */
  /* 10 conversations of 2 messages in INBOX: conversation c has uids 2c+1, 2c+2 */
  for (guint c = 0; c < 10; c++)
    for (guint k = 1; k <= 2; k++)
      insert_threaded (&unit, inbox, 2 * c + k, BASE_DATE + (2 * c + k) * 60, c);
  folder = unit_folder (&unit, "INBOX");
  list = heron_folder_get_messages (folder);
  heron_message_list_set_threaded (HERON_MESSAGE_LIST (list), TRUE);
  mirror = mirror_new (list);
  g_assert_cmpuint (mirror->items->len, ==, 10);

  /* the server's \Sent: a reply there brings conversation 3 up; one in Outbox does nothing */
  insert_threaded (&unit, sent, 1, BASE_DATE + 100 * 60, 3);
  insert_threaded (&unit, outbox, 1, BASE_DATE + 101 * 60, 5);
  drain ();
  g_assert_true (heron_message_get_folder (g_ptr_array_index (mirror->items, 0)) == unit_folder (&unit, "Sent"));
  {
    g_autoptr(GListModel) fresh = G_LIST_MODEL (heron_message_list_new_merged (&folder, 1));

    heron_message_list_set_threaded (HERON_MESSAGE_LIST (fresh), TRUE);
    assert_same_items (mirror, fresh);
  }

  /* the configuration names Outbox as the Sent folder (what the worker writes at its start):
   * the members of conversations 3 and 5 changed with no message event; the list reads itself
   * again and has conversation 5 on top, its item the reply in Outbox */
  g_array_set_size (mirror->changes, 0);
  g_assert_true (heron_store_set_sent_folder (unit.store, "Outbox", &error));
  g_assert_no_error (error);
  drain ();
  g_assert_cmpuint (mirror->changes->len / 3, >=, 1);
  g_assert_true (heron_message_get_folder (g_ptr_array_index (mirror->items, 0)) == unit_folder (&unit, "Outbox"));
  g_assert_cmpuint (heron_message_get_conversation_size (g_ptr_array_index (mirror->items, 0)), ==, 3);
  {
    g_autoptr(GListModel) fresh = G_LIST_MODEL (heron_message_list_new_merged (&folder, 1));

    heron_message_list_set_threaded (HERON_MESSAGE_LIST (fresh), TRUE);
    assert_same_items (mirror, fresh);
  }

  /* a new reply in Outbox is followed (conversation 7 comes up, one move); a new message in
   * Sent, no longer the Sent folder, is not a member */
  g_array_set_size (mirror->changes, 0);
  insert_threaded (&unit, outbox, 2, BASE_DATE + 102 * 60, 7);
  drain ();
  g_assert_cmpuint (mirror->changes->len / 3, ==, 2);
  assert_change (mirror, 0, 0, 0, 1);
  g_assert_cmpint (heron_message_get_uid (g_ptr_array_index (mirror->items, 0)), ==, 2);
  g_assert_true (heron_message_get_folder (g_ptr_array_index (mirror->items, 0)) == unit_folder (&unit, "Outbox"));
  g_array_set_size (mirror->changes, 0);
  insert_threaded (&unit, sent, 2, BASE_DATE + 103 * 60, 8);
  drain ();
  g_assert_cmpuint (mirror->changes->len, ==, 0);
  {
    g_autoptr(GListModel) fresh = G_LIST_MODEL (heron_message_list_new_merged (&folder, 1));

    heron_message_list_set_threaded (HERON_MESSAGE_LIST (fresh), TRUE);
    assert_same_items (mirror, fresh);
  }

  g_clear_pointer (&mirror, mirror_free);
  g_clear_object (&list);
  unit_clear (&unit);
}

static gint64
wal_size (Online *online)
{
  g_autofree char *path = g_strconcat (heron_account_get_store_path (online->account), "-wal", NULL);
  GStatBuf st;

  g_assert_cmpint (g_stat (path, &st), ==, 0);
  return st.st_size;
}

/* A message list holds a read snapshot of the cache while the worker writes; when the manager
 * shuts the account down the list lets it go before the worker's writer closes, which then
 * empties the write-ahead log into the database (else the next start reads it all again). */
static void
test_shutdown_empties_log (void)
{
  Online online;
  g_autoptr(GListModel) list = NULL;
  g_autofree char *wal_path = NULL;
  HeronFolder *inbox;
  GStatBuf st;

  online_start (&online, "shutdown-empties-log");
  deliver (&online, "Before", "Hello.", 1);
  online_sync (&online);
  inbox = heron_account_lookup_folder (online.account, "INBOX");
  list = heron_folder_get_messages (inbox);
  wait_count (list, 1);
  for (guint i = 0; i < 3; i++)
    {
      g_autofree char *subject = g_strdup_printf ("While%u", i);

      deliver (&online, subject, "Hello.", 2 + i);
    }
  online_sync (&online);
  wait_count (list, 4);
  g_assert_cmpint (wal_size (&online), >, 0);
  wal_path = g_strconcat (heron_account_get_store_path (online.account), "-wal", NULL);

  heron_account_manager_shutdown (online.manager);
  g_assert_cmpint (g_stat (wal_path, &st), ==, 0);
  g_assert_cmpint (st.st_size, ==, 0);
  /* the list let its items go with its snapshot */
  g_assert_cmpuint (g_list_model_get_n_items (list), ==, 0);

  g_clear_object (&list);
  online_clear (&online);
}

/* The checkpoint sequence number in the write-ahead log's header (big-endian, bytes 12-15): it
 * goes up each time the log starts over from its beginning. */
static guint32
wal_restarts (Online *online)
{
  g_autofree char *path = g_strconcat (heron_account_get_store_path (online->account), "-wal", NULL);
  g_autofree char *header = NULL;
  gsize length = 0;

  g_assert_true (g_file_get_contents (path, &header, &length, NULL));
  g_assert_cmpuint (length, >=, 32);
  return ((guint32) (guint8) header[12] << 24) | ((guint32) (guint8) header[13] << 16) |
         ((guint32) (guint8) header[14] << 8) | (guint32) (guint8) header[15];
}

static gboolean
on_quiet_over (gpointer user_data)
{
  *(gboolean *) user_data = TRUE;
  return G_SOURCE_REMOVE;
}

/* While a message list is open its snapshot is always there; once the writes settle the worker
 * copies the log into the database and says so, the list renews its snapshot, and the next
 * write starts the log over instead of growing it (without that, the log grew by everything written while a
 * list existed: 470-810 MB over a first sync of 100,000 messages). */
static void
test_log_starts_over (void)
{
  Online online;
  g_autoptr(GListModel) list = NULL;
  HeronFolder *inbox;
  gboolean quiet_over = FALSE;
  guint32 before;

  online_start (&online, "log-starts-over");
  inbox = heron_account_lookup_folder (online.account, "INBOX");
  list = heron_folder_get_messages (inbox);
  for (guint i = 0; i < 10; i++)
    {
      g_autofree char *subject = g_strdup_printf ("Batch%u", i);

      deliver (&online, subject, "Hello.", 1 + i);
    }
  online_sync (&online);
  wait_count (list, 10);
  before = wal_restarts (&online);

  /* nothing happens for a while: the worker's checkpoint 4 s after the last commit, the list's
   * renewal on its CACHE_SETTLED event, the worker's next try a second later when the first
   * copy stopped short */
  g_timeout_add_seconds (10, on_quiet_over, &quiet_over);
  while (!quiet_over)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpuint (g_list_model_get_n_items (list), ==, 10);

  deliver (&online, "After", "Hello.", 20);
  online_sync (&online);
  wait_count (list, 11);
  g_assert_cmpuint (wal_restarts (&online), >, before);
  {
    g_autoptr(HeronMessage) first = g_list_model_get_item (list, 0);

    g_assert_cmpstr (heron_message_get_subject (first), ==, "After");
  }

  g_clear_object (&list);
  online_clear (&online);
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(GError) error = NULL;
  int status;

  g_test_init (&argc, &argv, NULL);
  heron_mime_init ();

  tmpdir = g_dir_make_tmp ("heron-test-message-list-XXXXXX", &error);
  g_assert_no_error (error);

  g_test_add_func ("/heron/client/message-list/order", test_order);
  g_test_add_func ("/heron/client/message-list/sender-display", test_sender_display);
  g_test_add_func ("/heron/client/message-list/add-remove", test_add_remove);
  g_test_add_func ("/heron/client/message-list/flags-in-place", test_flags_in_place);
  g_test_add_func ("/heron/client/message-list/big-batch", test_big_batch);
  g_test_add_func ("/heron/client/message-list/ahead-of-events", test_ahead_of_events);
  g_test_add_func ("/heron/client/message-list/lost-event", test_lost_event);
  g_test_add_func ("/heron/client/message-list/large-folder", test_large_folder);
  g_test_add_func ("/heron/client/message-list/merged", test_merged);
  g_test_add_func ("/heron/client/message-list/merged-partial", test_merged_partial);
  g_test_add_func ("/heron/client/message-list/merged-big-batch", test_merged_big_batch);
  g_test_add_func ("/heron/client/message-list/threaded", test_threaded);
  g_test_add_func ("/heron/client/message-list/threaded-changes", test_threaded_changes);
  g_test_add_func ("/heron/client/message-list/threaded-large", test_threaded_large);
  g_test_add_func ("/heron/client/message-list/threaded-sent-and-flags", test_threaded_sent_and_flags);
  g_test_add_func ("/heron/client/message-list/threaded-sent-folders", test_threaded_sent_folders);
  g_test_add_func ("/heron/client/message/load", test_load);
  g_test_add_func ("/heron/client/message/load-offline", test_load_offline);
  g_test_add_func ("/heron/client/message-list/search-offline", test_search_offline);
  g_test_add_func ("/heron/client/message-list/server-changes", test_server_changes);
  g_test_add_func ("/heron/client/message-list/search", test_search);
  g_test_add_func ("/heron/client/message-list/shutdown-empties-log", test_shutdown_empties_log);
  g_test_add_func ("/heron/client/message-list/log-starts-over", test_log_starts_over);

  server = heron_test_server_new_full (HERON_TEST_SERVER_FLAGS_NO_SMTP, &error);
  g_assert_no_error (error);
  /* Every user up front: Dovecot notices a changed passwd-file by its mtime (a second). */
  {
    static const char * const users[] = { "server-changes", "search", "shutdown-empties-log",
                                          "log-starts-over", NULL };

    for (guint i = 0; users[i] != NULL; i++)
      {
        g_autofree char *user = g_strdup_printf ("%s@" HERON_TEST_SERVER_DOMAIN, users[i]);

        g_assert_true (heron_test_server_add_user (server, user, NULL, &error));
        g_assert_no_error (error);
      }
  }

  status = g_test_run ();

  heron_test_server_free (server);
  heron_mime_shutdown ();
  if (g_getenv ("HERON_TEST_KEEP") == NULL)
    {
      g_autoptr(GFile) dir = g_file_new_for_path (tmpdir);
      g_autofree char *command = g_strdup_printf ("rm -rf '%s'", tmpdir);
      (void) dir;
      (void) g_spawn_command_line_sync (command, NULL, NULL, NULL, NULL);
    }
  g_free (tmpdir);
  return status;
}
