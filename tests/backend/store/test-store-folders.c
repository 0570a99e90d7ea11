/* test-store-folders.c: folders, their sync state, rename with children, delete
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "store-test-util.h"

static gint64
add (HeronStore           *store,
     const char           *name,
     const char           *display,
     guint                 attributes,
     HeronStoreSpecialUse  special_use)
{
  g_autoptr (GError) error = NULL;
  HeronStoreFolder info = { 0 };
  gint64 id;

  info.name = (char *) name;
  info.display_name = (char *) display;
  info.delimiter = '/';
  info.attributes = attributes;
  info.special_use = special_use;
  info.subscribed = TRUE;
  id = heron_store_add_folder (store, &info, &error);
  g_assert_no_error (error);
  return id;
}

static char *
name_of (HeronStore *store,
         gint64      id)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (HeronStoreFolder) folder = heron_store_get_folder (store, id, &error);

  g_assert_no_error (error);
  return g_strdup_printf ("%s|%s", folder->name, folder->display_name);
}

static void
test_crud (void)
{
  g_autoptr (StoreTestDir) dir = store_test_dir_new ();
  g_autoptr (HeronStore) store = store_test_open (dir->path);
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) folders = NULL;
  g_autoptr (HeronStoreFolder) sent = NULL;
  g_autoptr (HeronStoreFolder) missing = NULL;
  StoreTestEvents events;
  gint64 inbox, sent_id, again;

  store_test_events_attach (&events, store);

  inbox = add (store, "INBOX", "Inbox", HERON_STORE_FOLDER_HAS_NO_CHILDREN, HERON_STORE_SPECIAL_USE_NONE);
  sent_id = add (store, "Sent", "Sent", 0, HERON_STORE_SPECIAL_USE_SENT);
  g_assert_cmpint (inbox, >, 0);
  g_assert_cmpint (sent_id, >, inbox);
  g_assert_true (store_test_events_has (&events, HERON_STORE_CHANGE_FOLDER_LIST, 0));

  /* The same LIST again changes nothing and reports nothing */
  store_test_events_clear (&events);
  again = add (store, "Sent", "Sent", 0, HERON_STORE_SPECIAL_USE_SENT);
  g_assert_cmpint (again, ==, sent_id);
  g_assert_cmpuint (events.batches->len, ==, 0);

  /* A changed attribute updates it, same id */
  again = add (store, "Sent", "Sent", HERON_STORE_FOLDER_MARKED, HERON_STORE_SPECIAL_USE_SENT);
  g_assert_cmpint (again, ==, sent_id);
  g_assert_true (store_test_events_has (&events, HERON_STORE_CHANGE_FOLDER_LIST, 0));

  sent = heron_store_lookup_folder (store, "Sent", &error);
  g_assert_no_error (error);
  g_assert_cmpint (sent->id, ==, sent_id);
  g_assert_cmpuint (sent->attributes, ==, HERON_STORE_FOLDER_MARKED);
  g_assert_cmpint (sent->special_use, ==, HERON_STORE_SPECIAL_USE_SENT);
  g_assert_true (sent->subscribed);
  g_assert_cmpint (sent->delimiter, ==, '/');
  g_assert_cmpuint (sent->uidvalidity, ==, 0);

  missing = heron_store_lookup_folder (store, "Nope", &error);
  g_assert_error (error, HERON_STORE_ERROR, HERON_STORE_ERROR_NOT_FOUND);
  g_assert_null (missing);
  g_clear_error (&error);

  folders = heron_store_get_folders (store, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (folders->len, ==, 2);
  g_assert_cmpstr (((HeronStoreFolder *) folders->pdata[0])->name, ==, "INBOX");
  g_assert_cmpstr (((HeronStoreFolder *) folders->pdata[0])->display_name, ==, "Inbox");

  heron_store_delete_folder (store, sent_id, &error);
  g_assert_no_error (error);
  heron_store_delete_folder (store, sent_id, &error);
  g_assert_error (error, HERON_STORE_ERROR, HERON_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);

  g_clear_pointer (&folders, g_ptr_array_unref);
  folders = heron_store_get_folders (store, &error);
  g_assert_cmpuint (folders->len, ==, 1);

  /* Ids are never reused */
  again = add (store, "Sent", "Sent", 0, HERON_STORE_SPECIAL_USE_SENT);
  g_assert_cmpint (again, >, sent_id);

  heron_store_set_changes_func (store, NULL, NULL, NULL);
  g_ptr_array_unref (events.batches);
}

static void
test_sync_state (void)
{
  g_autoptr (StoreTestDir) dir = store_test_dir_new ();
  g_autoptr (HeronStore) store = store_test_open (dir->path);
  g_autoptr (GError) error = NULL;
  g_autoptr (HeronStoreFolder) folder = NULL;
  g_autoptr (GArray) uids = NULL;
  StoreTestEvents events;
  gint64 inbox = store_test_add_folder (store, "INBOX");

  store_test_events_attach (&events, store);
  heron_store_set_folder_sync_state (store, inbox, 1234, 11, G_GUINT64_CONSTANT (90000000000), &error);
  g_assert_no_error (error);
  g_assert_true (store_test_events_has (&events, HERON_STORE_CHANGE_FOLDER, inbox));

  folder = heron_store_get_folder (store, inbox, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (folder->uidvalidity, ==, 1234);
  g_assert_cmpuint (folder->uidnext, ==, 11);
  g_assert_cmpuint (folder->highestmodseq, ==, G_GUINT64_CONSTANT (90000000000));
  g_clear_pointer (&folder, heron_store_folder_free);

  /* UIDVALIDITY changes only through a reset */
  heron_store_set_folder_sync_state (store, inbox, 999, 11, 5, &error);
  g_assert_error (error, HERON_STORE_ERROR, HERON_STORE_ERROR_INVALID);
  g_clear_error (&error);

  store_test_fill (store, inbox, 1, 10);
  g_assert_cmpuint (store_test_count (store, inbox), ==, 10);

  store_test_events_clear (&events);
  heron_store_reset_folder (store, inbox, 999, &error);
  g_assert_no_error (error);
  folder = heron_store_get_folder (store, inbox, &error);
  g_assert_cmpuint (folder->uidvalidity, ==, 999);
  g_assert_cmpuint (folder->uidnext, ==, 0);
  g_assert_cmpuint (folder->highestmodseq, ==, 0);
  g_assert_cmpuint (folder->n_messages, ==, 0);
  g_assert_cmpuint (folder->n_unread, ==, 0);
  uids = store_test_events_uids (&events, HERON_STORE_CHANGE_MESSAGES_REMOVED, inbox);
  g_assert_cmpuint (uids->len, ==, 10);

  heron_store_set_folder_sync_state (store, inbox, 999, 1, 0, &error);
  g_assert_no_error (error);
  store_test_assert_consistent (store);

  heron_store_set_changes_func (store, NULL, NULL, NULL);
  g_ptr_array_unref (events.batches);
}

static void
test_rename (void)
{
  g_autoptr (StoreTestDir) dir = store_test_dir_new ();
  g_autoptr (HeronStore) store = store_test_open (dir->path);
  g_autoptr (GError) error = NULL;
  gint64 work, year, quarter, workshop, other, inbox;
  char *name;

  inbox = add (store, "INBOX", "Inbox", 0, 0);
  work = add (store, "Work", "Work", 0, 0);
  year = add (store, "Work/2024", "Work/2024", 0, 0);
  /* modified UTF-7 raw name, UTF-8 display name */
  quarter = add (store, "Work/2024/R&AOk-sum&AOk-", "Work/2024/Résumé", 0, 0);
  workshop = add (store, "Workshop", "Workshop", 0, 0);
  other = add (store, "Old", "Old", 0, 0);
  store_test_fill (store, year, 1, 20);

  heron_store_rename_folder (store, work, "Jobs", "Jobs", &error);
  g_assert_no_error (error);

  name = name_of (store, work);
  g_assert_cmpstr (name, ==, "Jobs|Jobs");
  g_free (name);
  name = name_of (store, year);
  g_assert_cmpstr (name, ==, "Jobs/2024|Jobs/2024");
  g_free (name);
  name = name_of (store, quarter);
  g_assert_cmpstr (name, ==, "Jobs/2024/R&AOk-sum&AOk-|Jobs/2024/Résumé");
  g_free (name);
  /* A sibling that only shares the prefix is not a child */
  name = name_of (store, workshop);
  g_assert_cmpstr (name, ==, "Workshop|Workshop");
  g_free (name);
  /* Messages stay with their folder */
  g_assert_cmpuint (store_test_count (store, year), ==, 20);

  /* Renaming a child under a UTF-8 display name */
  heron_store_rename_folder (store, year, "Jobs/Année", "Jobs/Année", &error);
  g_assert_no_error (error);
  name = name_of (store, quarter);
  g_assert_cmpstr (name, ==, "Jobs/Année/R&AOk-sum&AOk-|Jobs/Année/Résumé");
  g_free (name);

  /* A taken name is refused and nothing changes */
  heron_store_rename_folder (store, other, "Workshop", NULL, &error);
  g_assert_error (error, HERON_STORE_ERROR, HERON_STORE_ERROR_EXISTS);
  g_clear_error (&error);
  name = name_of (store, other);
  g_assert_cmpstr (name, ==, "Old|Old");
  g_free (name);
  /* also when only a child would collide */
  add (store, "Fresh/Année", "Fresh/Année", 0, 0);
  heron_store_rename_folder (store, work, "Fresh", NULL, &error);
  g_assert_error (error, HERON_STORE_ERROR, HERON_STORE_ERROR_EXISTS);
  g_clear_error (&error);
  name = name_of (store, year);
  g_assert_cmpstr (name, ==, "Jobs/Année|Jobs/Année");
  g_free (name);

  /* Deleting a parent keeps its children, as IMAP does; its messages go */
  heron_store_delete_folder (store, year, &error);
  g_assert_no_error (error);
  name = name_of (store, quarter);
  g_assert_cmpstr (name, ==, "Jobs/Année/R&AOk-sum&AOk-|Jobs/Année/Résumé");
  g_free (name);
  g_assert_cmpint (inbox, >, 0);
  store_test_assert_consistent (store);
}

static void
test_parent_name (void)
{
  HeronStoreFolder folder = { 0 };
  char *parent;

  folder.name = (char *) "Work/2024/Q1";
  folder.delimiter = '/';
  parent = heron_store_folder_dup_parent_name (&folder);
  g_assert_cmpstr (parent, ==, "Work/2024");
  g_free (parent);

  folder.name = (char *) "INBOX";
  g_assert_null (heron_store_folder_dup_parent_name (&folder));

  folder.name = (char *) "INBOX.Lists";
  folder.delimiter = '.';
  parent = heron_store_folder_dup_parent_name (&folder);
  g_assert_cmpstr (parent, ==, "INBOX");
  g_free (parent);

  folder.delimiter = '\0';
  g_assert_null (heron_store_folder_dup_parent_name (&folder));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/heron/store/folders/crud", test_crud);
  g_test_add_func ("/heron/store/folders/sync-state", test_sync_state);
  g_test_add_func ("/heron/store/folders/rename-with-children", test_rename);
  g_test_add_func ("/heron/store/folders/parent-name", test_parent_name);

  return g_test_run ();
}
