/* test-client-account.c: HeronAccountManager, HeronAccount and HeronFolder against the real
 * Dovecot of tests/servers, with the keyring of tests/harness/heron-test-session
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * One Dovecot serves every test; each test has a user of its own and a manager with its own
 * config and data directories. The server's truth comes from doveadm, the keyring's from
 * libsecret, the files' from the file system.
 */

#include "config.h"

#include <string.h>
#include <glib/gstdio.h>

#include "heron-test-server.h"
#include "account/heron-account-config-store.h"
#include "account/heron-account-error.h"
#include "account/heron-secrets.h"
#include "client/heron-client-private.h"
#include "imap/heron-imap-error.h"
#include "net/heron-tls.h"

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

/* Iterates the main context until check() holds, or fails after timeout_ms. */
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

/* Lets pending sources run for a moment (the workers' last events) */
static void
spin (guint ms)
{
  gboolean done = FALSE;

  g_timeout_add (ms, on_timeout, &done);
  while (!done)
    g_main_context_iteration (NULL, TRUE);
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

/* A test's world */

typedef struct {
  const char          *name;
  char                *user;
  char                *password;
  char                *config_dir;
  char                *data_dir;
  HeronAccountManager *manager;
  HeronAccount        *account;
  GPtrArray           *events;    /* HeronSyncEvent of the account */
} Fixture;

static void
on_account_event (HeronAccount   *account,
                  HeronSyncEvent *event,
                  gpointer        user_data)
{
  Fixture *fixture = user_data;

  g_ptr_array_add (fixture->events, heron_sync_event_copy (event));
}

static void
fixture_init (Fixture    *fixture,
              const char *name)
{
  memset (fixture, 0, sizeof *fixture);
  fixture->name = name;
  fixture->user = g_strdup_printf ("%s@" HERON_TEST_SERVER_DOMAIN, name);
  fixture->password = g_strdup (heron_test_server_get_user_password (server, fixture->user));
  fixture->config_dir = g_build_filename (tmpdir, name, "config", NULL);
  fixture->data_dir = g_build_filename (tmpdir, name, "data", NULL);
  fixture->events = g_ptr_array_new_with_free_func ((GDestroyNotify) heron_sync_event_free);
  g_assert_nonnull (fixture->password);
}

static void
fixture_new_manager (Fixture  *fixture,
                     gboolean  trust_server)
{
  g_autoptr(GError) error = NULL;

  fixture->manager = heron_account_manager_new (fixture->config_dir, fixture->data_dir);
  if (trust_server)
    {
      g_autoptr(GTlsDatabase) database = g_tls_file_database_new (heron_test_server_get_ca_file (server), &error);
      g_assert_no_error (error);
      heron_account_manager_set_tls_database (fixture->manager, database);
    }
}

static void
fixture_stop (Fixture *fixture)
{
  if (fixture->account != NULL)
    g_signal_handlers_disconnect_by_data (fixture->account, fixture);
  g_clear_object (&fixture->account);
  if (fixture->manager != NULL)
    {
      heron_account_manager_shutdown (fixture->manager);
      g_clear_object (&fixture->manager);
    }
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

static void
fixture_clear (Fixture *fixture)
{
  fixture_stop (fixture);
  g_free (fixture->user);
  g_free (fixture->password);
  g_free (fixture->config_dir);
  g_free (fixture->data_dir);
  g_ptr_array_unref (fixture->events);
}

static HeronAccountConfig *
make_config (Fixture *fixture)
{
  HeronAccountConfig *config = heron_account_config_new ();
  g_autoptr(HeronAccountIdentity) identity = heron_account_identity_new ("Test", fixture->user);
  HeronAccountServer *imap = heron_account_config_get_imap (config);
  HeronAccountServer *smtp = heron_account_config_get_smtp (config);

  heron_account_config_add_identity (config, identity);

  heron_account_server_set_host (imap, heron_test_server_get_host (server));
  heron_account_server_set_port (imap, heron_test_server_get_imap_port (server));
  heron_account_server_set_security (imap, HERON_ACCOUNT_SECURITY_STARTTLS);
  heron_account_server_set_user (imap, fixture->user);
  /* not used by these tests (no SMTP server): only valid */
  heron_account_server_set_host (smtp, heron_test_server_get_host (server));
  heron_account_server_set_port (smtp, 1);
  heron_account_server_set_security (smtp, HERON_ACCOUNT_SECURITY_STARTTLS);
  heron_account_server_set_user (smtp, fixture->user);
  return config;
}

static gboolean
check_state (gconstpointer data)
{
  const Fixture *fixture = data;
  return heron_account_get_state (fixture->account) == HERON_SYNC_STATE_ONLINE;
}

static HeronAccount *
add_account (Fixture            *fixture,
             HeronAccountConfig *config,
             const char         *password)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  Wait wait = { 0 };
  HeronAccount *account;

  heron_account_manager_add_async (fixture->manager, config, password, NULL, on_done, &wait);
  result = await (&wait, "add");
  account = heron_account_manager_add_finish (fixture->manager, result, &error);
  g_assert_no_error (error);
  g_assert_true (HERON_IS_ACCOUNT (account));
  fixture->account = account;
  g_signal_connect (account, "event", G_CALLBACK (on_account_event), fixture);
  return account;
}

static void sync_account (Fixture     *fixture,
                          HeronFolder *folder);

/* A manager with one account of the fixture's user, online, its folder list and INBOX synced. */
static void
fixture_start (Fixture *fixture)
{
  g_autoptr(HeronAccountConfig) config = make_config (fixture);

  fixture_new_manager (fixture, TRUE);
  g_assert_true (heron_account_manager_load (fixture->manager, NULL, NULL));
  add_account (fixture, config, fixture->password);
  wait_until (check_state, fixture, "the account online");
  sync_account (fixture, NULL);
}

static void
sync_account (Fixture     *fixture,
              HeronFolder *folder)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  Wait wait = { 0 };

  heron_account_sync_async (fixture->account, folder, NULL, on_done, &wait);
  result = await (&wait, "sync");
  g_assert_true (heron_account_sync_finish (fixture->account, result, &error));
  g_assert_no_error (error);
}

static guint32
deliver (Fixture    *fixture,
         const char *mailbox,
         const char *from,
         const char *subject,
         const char *flags)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *text = g_strdup_printf ("From: %s\r\n"
                                           "To: %s\r\n"
                                           "Subject: %s\r\n"
                                           "Date: Thu, 14 Nov 2024 09:30:00 +0000\r\n"
                                           "Message-ID: <%s.%u@heron.test>\r\n"
                                           "\r\n"
                                           "Hello.\r\n", from, fixture->user, subject, subject, g_random_int ());
  g_autoptr(GBytes) bytes = g_bytes_new (text, strlen (text));
  guint32 uid = heron_test_server_deliver (server, fixture->user, mailbox, bytes, flags, &error);

  g_assert_no_error (error);
  return uid;
}

static gboolean
server_has_mailbox (Fixture    *fixture,
                    const char *mailbox)
{
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) mailboxes = heron_test_server_list_mailboxes (server, fixture->user, &error);

  g_assert_no_error (error);
  return g_strv_contains ((const char * const *) mailboxes, mailbox);
}

typedef struct {
  Fixture    *fixture;
  const char *name;
  gboolean    present;
} FolderWait;

static gboolean
check_folder (gconstpointer data)
{
  const FolderWait *wait = data;
  return (heron_account_lookup_folder (wait->fixture->account, wait->name) != NULL) == wait->present;
}

static void
wait_folder (Fixture    *fixture,
             const char *name,
             gboolean    present)
{
  FolderWait wait = { fixture, name, present };
  wait_until (check_folder, &wait, name);
}

static gboolean
check_server_mailbox (gconstpointer data)
{
  const FolderWait *wait = data;
  gboolean present = server_has_mailbox (wait->fixture, wait->name);

  if (present != wait->present)
    g_usleep (50000);  /* doveadm is a process: do not run it in a busy loop */
  return present == wait->present;
}

static void
wait_server_mailbox (Fixture    *fixture,
                     const char *name,
                     gboolean    present)
{
  FolderWait wait = { fixture, name, present };
  wait_until (check_server_mailbox, &wait, name);
}

static gboolean
model_contains (GListModel *model,
                gpointer    item)
{
  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr(GObject) object = g_list_model_get_item (model, i);
      if (object == item)
        return TRUE;
    }
  return FALSE;
}

static HeronMessage *
message_for (HeronAccount *account,
             HeronFolder  *folder,
             gint64        uid)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(HeronStoreMessage) row = NULL;

  row = heron_store_reader_get_message (_heron_account_get_reader (account),
                                        _heron_folder_get_id (folder), uid, &error);
  g_assert_no_error (error);
  return _heron_message_new (account, folder, row);
}

static char *
lookup_secret (const char           *account_id,
               HeronAccountProtocol  protocol,
               const char           *user)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  Wait wait = { 0 };
  char *secret;

  heron_secrets_lookup_async (account_id, protocol, heron_test_server_get_host (server), user,
                              NULL, on_done, &wait);
  result = await (&wait, "a secret");
  secret = heron_secrets_lookup_finish (result, &error);
  g_assert_no_error (error);
  return secret;
}

/* Tests */

static gboolean
check_inbox_counts (gconstpointer data)
{
  const Fixture *fixture = data;
  HeronFolder *inbox = heron_account_lookup_folder (fixture->account, "INBOX");

  return inbox != NULL && heron_folder_get_total_count (inbox) == 3;
}

static gboolean
check_unsynced_counts (gconstpointer data)
{
  const Fixture *fixture = data;
  HeronFolder *gnome = heron_account_lookup_folder (fixture->account, "Lists/GNOME");

  return gnome != NULL && heron_folder_get_total_count (gnome) == 2;
}

/* An added account: its file, its password in the keyring, its worker online, and the server's
 * folders in the tree with their roles, counts and places. */
static void
test_add (void)
{
  Fixture fixture;
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  g_autofree char *secret = NULL;
  GListModel *top;
  HeronFolder *inbox, *lists, *gnome;
  HeronFolder *first;
  static const struct {
    const char     *name;
    HeronFolderRole role;
    const char     *icon;
  } specials[] = {
    { "Drafts", HERON_FOLDER_ROLE_DRAFTS, "document-edit-symbolic" },
    { "Sent", HERON_FOLDER_ROLE_SENT, "mail-send-symbolic" },
    { "Trash", HERON_FOLDER_ROLE_TRASH, "user-trash-symbolic" },
    { "Junk", HERON_FOLDER_ROLE_JUNK, "mail-mark-junk-symbolic" },
    { "Archive", HERON_FOLDER_ROLE_ARCHIVE, "folder-documents-symbolic" },
  };

  fixture_init (&fixture, "add");
  deliver (&fixture, "INBOX", "Bob <bob@example.test>", "one", NULL);
  deliver (&fixture, "INBOX", "Bob <bob@example.test>", "two", "\\Seen");
  deliver (&fixture, "INBOX", "Bob <bob@example.test>", "three", NULL);
  g_assert_true (heron_test_server_create_mailbox (server, fixture.user, "Lists/GNOME", &error));
  g_assert_no_error (error);
  deliver (&fixture, "Lists/GNOME", "Bob <bob@example.test>", "list one", NULL);
  deliver (&fixture, "Lists/GNOME", "Bob <bob@example.test>", "list two", "\\Seen");

  fixture_start (&fixture);

  /* the file and the secret */
  g_assert_cmpstr (heron_account_get_id (fixture.account), ==, "add-example-test");
  g_assert_cmpstr (heron_account_get_email (fixture.account), ==, fixture.user);
  path = g_build_filename (fixture.config_dir, "accounts", "add-example-test.conf", NULL);
  g_assert_true (g_file_test (path, G_FILE_TEST_IS_REGULAR));
  secret = lookup_secret ("add-example-test", HERON_ACCOUNT_PROTOCOL_IMAP, fixture.user);
  g_assert_cmpstr (secret, ==, fixture.password);
  g_assert_true (g_str_has_prefix (heron_account_get_store_path (fixture.account), fixture.data_dir));
  g_assert_true (g_file_test (heron_account_get_store_path (fixture.account), G_FILE_TEST_IS_REGULAR));
  g_assert_true (heron_account_manager_lookup (fixture.manager, "add-example-test") == fixture.account);
  g_assert_cmpuint (g_list_model_get_n_items (heron_account_manager_get_accounts (fixture.manager)), ==, 1);

  /* INBOX first, with the counts of its first sync */
  wait_until (check_inbox_counts, &fixture, "INBOX's counts");
  inbox = heron_account_lookup_folder (fixture.account, "INBOX");
  g_assert_cmpint (heron_folder_get_role (inbox), ==, HERON_FOLDER_ROLE_INBOX);
  g_assert_cmpstr (heron_folder_get_icon_name (inbox), ==, "mail-inbox-symbolic");
  g_assert_cmpstr (heron_folder_get_display_name (inbox), ==, "Inbox");
  g_assert_cmpuint (heron_folder_get_total_count (inbox), ==, 3);
  g_assert_cmpuint (heron_folder_get_unread_count (inbox), ==, 2);
  g_assert_true (heron_folder_get_account (inbox) == fixture.account);
  g_assert_true (heron_account_get_folder_for_role (fixture.account, HERON_FOLDER_ROLE_INBOX) == inbox);
  top = heron_account_get_folders (fixture.account);
  first = g_list_model_get_item (top, 0);
  g_assert_true (first == inbox);
  g_object_unref (first);

  /* the special folders, in role order after INBOX */
  for (guint i = 0; i < G_N_ELEMENTS (specials); i++)
    {
      HeronFolder *folder = heron_account_lookup_folder (fixture.account, specials[i].name);

      g_assert_nonnull (folder);
      g_assert_cmpint (heron_folder_get_role (folder), ==, specials[i].role);
      g_assert_cmpstr (heron_folder_get_icon_name (folder), ==, specials[i].icon);
      g_assert_true (heron_account_get_folder_for_role (fixture.account, specials[i].role) == folder);
      g_assert_true (heron_folder_get_parent (folder) == NULL);
    }
  {
    int last = 0;
    for (guint i = 0; i < g_list_model_get_n_items (top); i++)
      {
        g_autoptr(HeronFolder) folder = g_list_model_get_item (top, i);
        int rank = heron_folder_get_role (folder) == HERON_FOLDER_ROLE_NONE ? G_MAXINT :
                   (int) heron_folder_get_role (folder);

        g_assert_cmpint (rank, >=, last);
        last = rank;
      }
  }

  /* the tree: Lists/GNOME under Lists, decoded names */
  lists = heron_account_lookup_folder (fixture.account, "Lists");
  gnome = heron_account_lookup_folder (fixture.account, "Lists/GNOME");
  g_assert_nonnull (lists);
  g_assert_nonnull (gnome);
  g_assert_true (heron_folder_get_parent (gnome) == lists);
  g_assert_true (model_contains (heron_folder_get_children (lists), gnome));
  g_assert_false (model_contains (top, gnome));
  g_assert_true (model_contains (top, lists));
  g_assert_cmpstr (heron_folder_get_display_name (gnome), ==, "GNOME");
  g_assert_cmpstr (heron_folder_get_path (gnome), ==, "Lists/GNOME");
  g_assert_cmpint (heron_folder_get_delimiter (gnome), ==, '/');
  g_assert_cmpint (heron_folder_get_role (gnome), ==, HERON_FOLDER_ROLE_NONE);
  g_assert_cmpstr (heron_folder_get_icon_name (gnome), ==, "folder-symbolic");
  /* never synced: the server's counts (STATUS) */
  wait_until (check_unsynced_counts, &fixture, "the counts of Lists/GNOME");
  g_assert_cmpuint (heron_folder_get_unread_count (gnome), ==, 1);

  fixture_clear (&fixture);
}

/* Folders created, renamed and deleted on the server come, change and go. */
static void
test_server_folders (void)
{
  Fixture fixture;
  g_autoptr(GError) error = NULL;
  HeronFolder *projects;

  fixture_init (&fixture, "serverfolders");
  fixture_start (&fixture);
  sync_account (&fixture, NULL);
  g_assert_null (heron_account_lookup_folder (fixture.account, "Projects"));

  g_assert_true (heron_test_server_create_mailbox (server, fixture.user, "Projects", &error));
  g_assert_no_error (error);
  sync_account (&fixture, NULL);
  projects = heron_account_lookup_folder (fixture.account, "Projects");
  g_assert_nonnull (projects);
  g_assert_true (model_contains (heron_account_get_folders (fixture.account), projects));

  g_assert_true (heron_test_server_rename_mailbox (server, fixture.user, "Projects", "Work/Projects", &error));
  g_assert_no_error (error);
  sync_account (&fixture, NULL);
  g_assert_null (heron_account_lookup_folder (fixture.account, "Projects"));
  projects = heron_account_lookup_folder (fixture.account, "Work/Projects");
  g_assert_nonnull (projects);
  g_assert_true (heron_folder_get_parent (projects) == heron_account_lookup_folder (fixture.account, "Work"));
  g_assert_cmpstr (heron_folder_get_display_name (projects), ==, "Projects");

  g_object_ref (projects);
  g_assert_true (heron_test_server_delete_mailbox (server, fixture.user, "Work/Projects", &error));
  g_assert_no_error (error);
  sync_account (&fixture, NULL);
  g_assert_null (heron_account_lookup_folder (fixture.account, "Work/Projects"));
  /* a folder that left the tree is detached, not freed under its holder */
  g_assert_null (heron_folder_get_account (projects));
  g_assert_null (heron_folder_get_parent (projects));
  g_object_unref (projects);

  fixture_clear (&fixture);
}

static HeronFolder *
create_folder (Fixture     *fixture,
               HeronFolder *parent,
               const char  *name,
               GError     **error)
{
  g_autoptr(GAsyncResult) result = NULL;
  Wait wait = { 0 };

  heron_account_create_folder_async (fixture->account, parent, name, NULL, on_done, &wait);
  result = await (&wait, "create_folder");
  return heron_account_create_folder_finish (fixture->account, result, error);
}

static gboolean
rename_folder (Fixture     *fixture,
               HeronFolder *folder,
               HeronFolder *parent,
               const char  *name,
               GError     **error)
{
  g_autoptr(GAsyncResult) result = NULL;
  Wait wait = { 0 };

  heron_account_rename_folder_async (fixture->account, folder, parent, name, NULL, on_done, &wait);
  result = await (&wait, "rename_folder");
  return heron_account_rename_folder_finish (fixture->account, result, error);
}

static gboolean
delete_folder (Fixture     *fixture,
               HeronFolder *folder,
               GError     **error)
{
  g_autoptr(GAsyncResult) result = NULL;
  Wait wait = { 0 };

  heron_account_delete_folder_async (fixture->account, folder, NULL, on_done, &wait);
  result = await (&wait, "delete_folder");
  return heron_account_delete_folder_finish (fixture->account, result, error);
}

static gboolean
check_no_pending (gconstpointer data)
{
  const Fixture *fixture = data;
  return heron_account_get_n_pending (fixture->account) == 0;
}

/* Create, rename and delete through the API: in the tree at once, then on the server; bad names
 * are refused with a clear error; the same offline, replayed when the server is back. */
static void
test_folder_ops (void)
{
  Fixture fixture;
  g_autoptr(GError) error = NULL;
  g_autoptr(HeronFolder) plans = NULL;
  g_autoptr(HeronFolder) scratch = NULL;
  g_autoptr(HeronFolder) offline = NULL;
  HeronFolder *archive;
  HeronFolder *inbox;

  fixture_init (&fixture, "folderops");
  fixture_start (&fixture);
  archive = heron_account_lookup_folder (fixture.account, "Archive");
  inbox = heron_account_lookup_folder (fixture.account, "INBOX");
  g_assert_nonnull (archive);

  /* refused before anything happens */
  g_assert_null (create_folder (&fixture, NULL, "  ", &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_assert_null (create_folder (&fixture, NULL, "a/b", &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (error->message, "/"));
  g_clear_error (&error);
  g_assert_null (create_folder (&fixture, NULL, "Archive", &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_EXISTS);
  g_clear_error (&error);
  g_assert_false (delete_folder (&fixture, inbox, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED);
  g_clear_error (&error);

  /* online */
  plans = create_folder (&fixture, archive, "Plans", &error);
  g_assert_no_error (error);
  g_assert_nonnull (plans);
  g_assert_cmpstr (heron_folder_get_name (plans), ==, "Archive/Plans");
  g_assert_true (heron_folder_get_parent (plans) == archive);
  g_assert_true (model_contains (heron_folder_get_children (archive), plans));
  wait_server_mailbox (&fixture, "Archive/Plans", TRUE);

  scratch = create_folder (&fixture, NULL, "Scratch", &error);
  g_assert_no_error (error);
  wait_server_mailbox (&fixture, "Scratch", TRUE);

  g_assert_true (rename_folder (&fixture, plans, NULL, "Ideas", &error));
  g_assert_no_error (error);
  g_assert_null (heron_account_lookup_folder (fixture.account, "Archive/Plans"));
  g_assert_nonnull (heron_account_lookup_folder (fixture.account, "Ideas"));
  wait_server_mailbox (&fixture, "Ideas", TRUE);
  wait_server_mailbox (&fixture, "Archive/Plans", FALSE);

  g_assert_true (delete_folder (&fixture, heron_account_lookup_folder (fixture.account, "Ideas"), &error));
  g_assert_no_error (error);
  g_assert_null (heron_account_lookup_folder (fixture.account, "Ideas"));
  wait_server_mailbox (&fixture, "Ideas", FALSE);

  /* offline: the tree changes at once, the server when it is back */
  g_assert_true (heron_test_server_stop_imap (server, &error));
  g_assert_no_error (error);
  offline = create_folder (&fixture, NULL, "Offline", &error);
  g_assert_no_error (error);
  g_assert_nonnull (offline);
  g_assert_cmpuint (heron_account_get_n_pending (fixture.account), >, 0);
  g_assert_true (delete_folder (&fixture, scratch, &error));
  g_assert_no_error (error);
  g_assert_null (heron_account_lookup_folder (fixture.account, "Scratch"));
  g_assert_false (server_has_mailbox (&fixture, "Offline"));
  g_assert_true (server_has_mailbox (&fixture, "Scratch"));
  g_assert_true (heron_test_server_start_imap (server, &error));
  g_assert_no_error (error);
  wait_server_mailbox (&fixture, "Offline", TRUE);
  wait_server_mailbox (&fixture, "Scratch", FALSE);
  /* the journal empties as the server confirms */
  wait_until (check_no_pending, &fixture, "n-pending 0");

  fixture_clear (&fixture);
}

/* Names beyond ASCII: one made through the API is the person's name on the server (the worker
 * writes the server's form: modified UTF-7 on Dovecot 2.3, which has no UTF8=ACCEPT), also when
 * every name the cache has is ASCII, and one made on the server can be synced. */
static void
test_folder_names (void)
{
  Fixture fixture;
  g_autoptr(GError) error = NULL;
  g_autoptr(HeronFolder) uber = NULL;
  g_autoptr(HeronFolder) inner = NULL;
  g_autoptr(HeronFolder) resume = NULL;
  HeronFolder *cafe;

  fixture_init (&fixture, "foldernames");
  fixture_start (&fixture);

  /* only ASCII names so far: not a folder literally named "&ANw-ber" */
  uber = create_folder (&fixture, NULL, "Über", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (heron_folder_get_name (uber), ==, "&ANw-ber");
  g_assert_cmpstr (heron_folder_get_display_name (uber), ==, "Über");
  wait_server_mailbox (&fixture, "Über", TRUE);
  g_assert_false (server_has_mailbox (&fixture, "&ANw-ber"));

  /* inside it, with its delimiter; the person's "&" is the server's "&-" */
  inner = create_folder (&fixture, uber, "Ça & là", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (heron_folder_get_name (inner), ==, "&ANw-ber/&AMc-a &- l&AOA-");
  g_assert_true (heron_folder_get_parent (inner) == uber);
  wait_server_mailbox (&fixture, "Über/Ça & là", TRUE);
  g_assert_null (create_folder (&fixture, uber, "Ça & là", &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_EXISTS);
  g_assert_nonnull (strstr (error->message, "Ça & là"));
  g_clear_error (&error);

  /* made on the server */
  g_assert_true (heron_test_server_create_mailbox (server, fixture.user, "Café", &error));
  g_assert_no_error (error);
  deliver (&fixture, "Café", "Bob <bob@example.test>", "croissant", NULL);
  sync_account (&fixture, NULL);
  cafe = heron_account_lookup_folder (fixture.account, "Caf&AOk-");
  g_assert_nonnull (cafe);
  g_assert_cmpstr (heron_folder_get_display_name (cafe), ==, "Café");
  sync_account (&fixture, cafe);
  g_assert_cmpuint (heron_folder_get_total_count (cafe), ==, 1);

  resume = create_folder (&fixture, NULL, "Résumé", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (heron_folder_get_name (resume), ==, "R&AOk-sum&AOk-");
  g_assert_cmpstr (heron_folder_get_display_name (resume), ==, "Résumé");
  wait_server_mailbox (&fixture, "Résumé", TRUE);
  sync_account (&fixture, NULL);
  g_assert_true (heron_account_lookup_folder (fixture.account, "R&AOk-sum&AOk-") == resume);
  g_assert_true (heron_account_lookup_folder (fixture.account, "&ANw-ber") == uber);

  fixture_clear (&fixture);
}

typedef struct {
  Fixture    *fixture;
  const char *mailbox;
  guint32     uid;
  const char *flag;
} FlagWait;

static gboolean
check_server_flag (gconstpointer data)
{
  const FlagWait *wait = data;
  g_auto(GStrv) flags = heron_test_server_get_flags (server, wait->fixture->user, wait->mailbox,
                                                     wait->uid, NULL);
  gboolean has = flags != NULL && g_strv_contains ((const char * const *) flags, wait->flag);

  if (!has)
    g_usleep (50000);
  return has;
}

static gboolean
check_server_uids (gconstpointer data)
{
  const FlagWait *wait = data;
  g_autoptr(GArray) uids = heron_test_server_list_uids (server, wait->fixture->user, wait->mailbox, NULL);
  gboolean ok = uids != NULL && uids->len == wait->uid;

  if (!ok)
    g_usleep (50000);
  return ok;
}

/* Flags and a move through the API change the cache at once and the server soon after; the
 * move returns the messages in their new folder. */
static void
test_flags_and_move (void)
{
  Fixture fixture;
  g_autoptr(GError) error = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GPtrArray) moved = NULL;
  g_autoptr(HeronMessage) message = NULL;
  HeronFolder *inbox, *archive;
  guint32 uid;
  Wait wait = { 0 };
  Wait move_wait = { 0 };

  fixture_init (&fixture, "flags");
  uid = deliver (&fixture, "INBOX", "Ana Lima <ana@example.org>", "flagged", NULL);
  fixture_start (&fixture);
  wait_folder (&fixture, "Archive", TRUE);
  inbox = heron_account_lookup_folder (fixture.account, "INBOX");
  archive = heron_account_lookup_folder (fixture.account, "Archive");
  sync_account (&fixture, inbox);
  g_assert_cmpuint (heron_folder_get_unread_count (inbox), ==, 1);

  message = message_for (fixture.account, inbox, uid);
  heron_account_set_flags_async (fixture.account, &message, 1,
                                 HERON_MESSAGE_FLAG_SEEN | HERON_MESSAGE_FLAG_FLAGGED, 0,
                                 NULL, on_done, &wait);
  result = await (&wait, "set_flags");
  g_assert_true (heron_account_set_flags_finish (fixture.account, result, &error));
  g_assert_no_error (error);
  /* the cache at once */
  g_assert_cmpuint (heron_folder_get_unread_count (inbox), ==, 0);
  /* the server soon */
  {
    FlagWait flag_wait = { &fixture, "INBOX", uid, "\\Flagged" };
    wait_until (check_server_flag, &flag_wait, "\\Flagged on the server");
    flag_wait.flag = "\\Seen";
    wait_until (check_server_flag, &flag_wait, "\\Seen on the server");
  }

  /* refused: no messages, or messages of two folders */
  {
    g_autoptr(GAsyncResult) bad_result = NULL;
    Wait bad = { 0 };

    heron_account_move_async (fixture.account, NULL, 0, archive, NULL, on_done, &bad);
    bad_result = await (&bad, "a refused move");
    g_assert_null (heron_account_move_finish (fixture.account, bad_result, &error));
    g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
    g_clear_error (&error);
  }

  heron_account_move_async (fixture.account, &message, 1, archive, NULL, on_done, &move_wait);
  g_clear_object (&result);
  result = await (&move_wait, "move");
  moved = heron_account_move_finish (fixture.account, result, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (moved->len, ==, 1);
  g_assert_true (heron_message_get_folder (g_ptr_array_index (moved, 0)) == archive);
  g_assert_cmpstr (heron_message_get_subject (g_ptr_array_index (moved, 0)), ==, "flagged");
  g_assert_cmpuint (heron_folder_get_total_count (inbox), ==, 0);
  g_assert_cmpuint (heron_folder_get_total_count (archive), ==, 1);
  {
    FlagWait uids_wait = { &fixture, "INBOX", 0, NULL };
    wait_until (check_server_uids, &uids_wait, "INBOX empty on the server");
    uids_wait.mailbox = "Archive";
    uids_wait.uid = 1;
    wait_until (check_server_uids, &uids_wait, "the message in Archive on the server");
  }

  /* the sender is known for completion; LIKE's wildcards are plain characters */
  {
    g_autoptr(GPtrArray) found = heron_account_complete_address (fixture.account, "ana", 10);
    g_autoptr(GPtrArray) by_word = heron_account_complete_address (fixture.account, "lim", 10);
    g_autoptr(GPtrArray) wildcard = heron_account_complete_address (fixture.account, "%", 10);

    g_assert_cmpuint (found->len, ==, 1);
    g_assert_cmpstr (g_ptr_array_index (found, 0), ==, "Ana Lima <ana@example.org>");
    g_assert_cmpuint (by_word->len, ==, 1);
    g_assert_cmpuint (wildcard->len, ==, 0);
  }

  fixture_clear (&fixture);
}

typedef struct {
  Fixture *fixture;
  guint    n;
} NewMail;

static void
on_new_mail (HeronAccount *account,
             HeronFolder  *folder,
             GArray       *uids,
             gpointer      user_data)
{
  NewMail *new_mail = user_data;

  g_assert_cmpint (heron_folder_get_role (folder), ==, HERON_FOLDER_ROLE_INBOX);
  new_mail->n += uids->len;
}

static gboolean
check_new_mail (gconstpointer data)
{
  return ((const NewMail *) data)->n > 0;
}

/* Connects ::new-mail as soon as the manager makes the account, before any of its events. */
static void
on_accounts_changed (GListModel *accounts,
                     guint       position,
                     guint       removed,
                     guint       added,
                     gpointer    user_data)
{
  for (guint i = position; i < position + added; i++)
    {
      g_autoptr(HeronAccount) account = g_list_model_get_item (accounts, i);

      g_signal_connect (account, "new-mail", G_CALLBACK (on_new_mail), user_data);
    }
}

/* ::new-mail: not for what the first sync finds, but for a delivery afterwards. */
static void
test_new_mail (void)
{
  Fixture fixture;
  g_autoptr(GError) error = NULL;
  NewMail new_mail = { &fixture, 0 };

  fixture_init (&fixture, "newmail");
  for (guint i = 0; i < 20; i++)
    {
      g_autofree char *subject = g_strdup_printf ("old %u", i);
      deliver (&fixture, "INBOX", "Bob <bob@example.test>", subject, NULL);
    }
  fixture_new_manager (&fixture, TRUE);
  g_signal_connect (heron_account_manager_get_accounts (fixture.manager), "items-changed",
                    G_CALLBACK (on_accounts_changed), &new_mail);
  g_assert_true (heron_account_manager_load (fixture.manager, NULL, NULL));
  {
    g_autoptr(HeronAccountConfig) config = make_config (&fixture);
    add_account (&fixture, config, fixture.password);
  }
  wait_until (check_state, &fixture, "online");
  sync_account (&fixture, NULL);
  g_assert_cmpuint (heron_folder_get_total_count (heron_account_get_folder_for_role (fixture.account, HERON_FOLDER_ROLE_INBOX)), ==, 20);
  g_assert_cmpuint (new_mail.n, ==, 0);

  deliver (&fixture, "INBOX", "Bob <bob@example.test>", "new", NULL);
  wait_until (check_new_mail, &new_mail, "::new-mail");
  g_assert_cmpuint (new_mail.n, ==, 1);

  fixture_clear (&fixture);
}

static void
on_removed (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  on_done (source, result, user_data);
}

/* Removing an account stops it and deletes its file, its secrets and its cache. */
static void
test_remove (void)
{
  Fixture fixture;
  g_autoptr(GError) error = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autofree char *path = NULL;
  g_autofree char *store_path = NULL;
  g_autofree char *secret = NULL;
  g_autofree char *cache_dir = NULL;
  Wait wait = { 0 };

  fixture_init (&fixture, "remove");
  fixture_start (&fixture);
  path = g_build_filename (fixture.config_dir, "accounts", "remove-example-test.conf", NULL);
  store_path = g_strdup (heron_account_get_store_path (fixture.account));
  cache_dir = g_path_get_dirname (store_path);
  g_assert_true (g_file_test (path, G_FILE_TEST_EXISTS));
  g_assert_true (g_file_test (store_path, G_FILE_TEST_EXISTS));

  heron_account_manager_remove_async (fixture.manager, fixture.account, NULL, on_removed, &wait);
  result = await (&wait, "remove");
  g_assert_true (heron_account_manager_remove_finish (fixture.manager, result, &error));
  g_assert_no_error (error);

  g_assert_cmpint (heron_account_get_state (fixture.account), ==, HERON_SYNC_STATE_STOPPED);
  g_assert_cmpuint (g_list_model_get_n_items (heron_account_manager_get_accounts (fixture.manager)), ==, 0);
  g_assert_null (heron_account_manager_lookup (fixture.manager, "remove-example-test"));
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
  g_assert_false (g_file_test (store_path, G_FILE_TEST_EXISTS));
  g_assert_false (g_file_test (cache_dir, G_FILE_TEST_EXISTS));
  secret = lookup_secret ("remove-example-test", HERON_ACCOUNT_PROTOCOL_IMAP, fixture.user);
  g_assert_null (secret);

  /* removing it again is refused */
  {
    g_autoptr(GAsyncResult) again = NULL;
    Wait again_wait = { 0 };

    heron_account_manager_remove_async (fixture.manager, fixture.account, NULL, on_removed, &again_wait);
    again = await (&again_wait, "remove again");
    g_assert_false (heron_account_manager_remove_finish (fixture.manager, again, &error));
    g_assert_error (error, HERON_ACCOUNT_ERROR, HERON_ACCOUNT_ERROR_NOT_FOUND);
  }

  fixture_clear (&fixture);
}

/* A broken account file costs its own account only; a new manager finds the good one again. */
static void
test_broken_file (void)
{
  Fixture fixture;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) errors = NULL;
  g_autofree char *broken = NULL;
  GListModel *accounts;

  fixture_init (&fixture, "broken");
  fixture_start (&fixture);
  fixture_stop (&fixture);

  broken = g_build_filename (fixture.config_dir, "accounts", "broken.conf", NULL);
  g_assert_true (g_file_set_contents (broken, "[IMAP]\nHost=imap.example.test\nPort=abc\n", -1, &error));
  g_assert_no_error (error);

  fixture_new_manager (&fixture, TRUE);
  g_assert_true (heron_account_manager_load (fixture.manager, &errors, &error));
  g_assert_no_error (error);
  g_assert_nonnull (errors);
  g_assert_cmpuint (errors->len, ==, 1);
  g_assert_nonnull (strstr (((GError *) g_ptr_array_index (errors, 0))->message, "broken.conf"));

  accounts = heron_account_manager_get_accounts (fixture.manager);
  g_assert_cmpuint (g_list_model_get_n_items (accounts), ==, 1);
  fixture.account = g_list_model_get_item (accounts, 0);
  g_assert_cmpstr (heron_account_get_id (fixture.account), ==, "broken-example-test");
  /* the password from the keyring, the cache from before */
  wait_until (check_state, &fixture, "the good account online");
  wait_folder (&fixture, "INBOX", TRUE);

  /* loading twice is refused */
  g_assert_false (heron_account_manager_load (fixture.manager, NULL, &error));
  g_assert_nonnull (error);

  fixture_clear (&fixture);
}

static void
on_notify_count (GObject    *object,
                 GParamSpec *pspec,
                 gpointer    user_data)
{
  (*(guint *) user_data)++;
}

typedef struct {
  HeronAccountManager *manager;
  guint                n;
} UnifiedWait;

static gboolean
check_unified (gconstpointer data)
{
  const UnifiedWait *wait = data;
  return g_list_model_get_n_items (heron_account_manager_get_unified_inbox (wait->manager)) == wait->n;
}

static gboolean
check_update_done (gconstpointer data)
{
  return ((const Wait *) data)->done;
}

/* The unified inbox merges every account's INBOX and is made again when an account goes; an
 * update that changes only the name keeps the worker, one with a new password makes a new one. */
static void
test_unified_and_update (void)
{
  Fixture fixture, second;
  g_autoptr(GError) error = NULL;
  g_autoptr(HeronAccountConfig) config = NULL;
  g_autoptr(HeronAccountConfig) second_config = NULL;
  g_autoptr(HeronAccountConfig) edited = NULL;
  g_autoptr(HeronAccount) second_account = NULL;
  g_autofree char *path = NULL;
  g_autofree char *contents = NULL;
  HeronAccountWorker *worker;
  guint n_notify = 0;
  guint n_name_notify = 0;

  fixture_init (&fixture, "unified1");
  fixture_init (&second, "unified2");
  deliver (&fixture, "INBOX", "Bob <bob@example.test>", "first one", NULL);
  deliver (&fixture, "INBOX", "Bob <bob@example.test>", "first two", NULL);
  deliver (&second, "INBOX", "Bob <bob@example.test>", "second one", NULL);

  fixture_start (&fixture);
  g_signal_connect (fixture.manager, "notify::unified-inbox", G_CALLBACK (on_notify_count), &n_notify);
  {
    UnifiedWait wait = { fixture.manager, 2 };
    wait_until (check_unified, &wait, "the unified inbox of one account");
  }

  /* a second account in the same manager */
  second.manager = g_object_ref (fixture.manager);
  second_config = make_config (&second);
  add_account (&second, second_config, second.password);
  second_account = g_object_ref (second.account);
  wait_until (check_state, &second, "the second account online");
  {
    UnifiedWait wait = { fixture.manager, 3 };
    wait_until (check_unified, &wait, "the unified inbox of two accounts");
  }
  g_assert_cmpuint (n_notify, >, 0);

  /* an update of the name only: same worker, the file has it */
  worker = _heron_account_get_worker (fixture.account);
  edited = heron_account_config_copy (heron_account_get_config (fixture.account));
  heron_account_config_set_display_name (edited, "Renamed");
  g_signal_connect (fixture.account, "notify::display-name", G_CALLBACK (on_notify_count), &n_name_notify);
  {
    g_autoptr(GAsyncResult) result = NULL;
    Wait wait = { 0 };

    heron_account_manager_update_async (fixture.manager, fixture.account, edited, NULL, NULL, on_done, &wait);
    wait_until (check_update_done, &wait, "update");
    result = wait.result;
    g_assert_true (heron_account_manager_update_finish (fixture.manager, result, &error));
    g_assert_no_error (error);
  }
  g_assert_cmpstr (heron_account_get_display_name (fixture.account), ==, "Renamed");
  g_assert_cmpuint (n_name_notify, >, 0);
  g_assert_true (_heron_account_get_worker (fixture.account) == worker);
  path = g_build_filename (fixture.config_dir, "accounts", "unified1-example-test.conf", NULL);
  g_assert_true (g_file_get_contents (path, &contents, NULL, &error));
  g_assert_nonnull (strstr (contents, "DisplayName=Renamed"));

  /* with a password: a new worker, online again */
  {
    g_autoptr(HeronAccountConfig) again = heron_account_config_copy (heron_account_get_config (fixture.account));
    g_autoptr(GAsyncResult) result = NULL;
    Wait wait = { 0 };

    heron_account_manager_update_async (fixture.manager, fixture.account, again, fixture.password,
                                        NULL, on_done, &wait);
    wait_until (check_update_done, &wait, "update with a password");
    result = wait.result;
    g_assert_true (heron_account_manager_update_finish (fixture.manager, result, &error));
    g_assert_no_error (error);
    g_assert_true (_heron_account_get_worker (fixture.account) != worker);
    wait_until (check_state, &fixture, "online after the update");
  }

  /* an edit that does not validate is refused and changes nothing */
  {
    g_autoptr(HeronAccountConfig) bad = heron_account_config_copy (heron_account_get_config (fixture.account));
    g_autoptr(GAsyncResult) result = NULL;
    Wait wait = { 0 };

    heron_account_server_set_host (heron_account_config_get_imap (bad), "not a host");
    heron_account_manager_update_async (fixture.manager, fixture.account, bad, NULL, NULL, on_done, &wait);
    wait_until (check_update_done, &wait, "a refused update");
    result = wait.result;
    g_assert_false (heron_account_manager_update_finish (fixture.manager, result, &error));
    g_assert_error (error, HERON_ACCOUNT_ERROR, HERON_ACCOUNT_ERROR_INVALID);
    g_clear_error (&error);
    g_assert_cmpint (heron_account_get_state (fixture.account), ==, HERON_SYNC_STATE_ONLINE);
  }

  /* the second account goes: the unified inbox is made again without it */
  n_notify = 0;
  {
    g_autoptr(GAsyncResult) result = NULL;
    Wait wait = { 0 };

    heron_account_manager_remove_async (fixture.manager, second_account, NULL, on_done, &wait);
    wait_until (check_update_done, &wait, "remove");
    result = wait.result;
    g_assert_true (heron_account_manager_remove_finish (fixture.manager, result, &error));
    g_assert_no_error (error);
  }
  g_assert_cmpuint (n_notify, >, 0);
  {
    UnifiedWait wait = { fixture.manager, 2 };
    wait_until (check_unified, &wait, "the unified inbox of one account again");
  }

  fixture_clear (&second);
  fixture_clear (&fixture);
}

static gboolean
check_auth_failed (gconstpointer data)
{
  const Fixture *fixture = data;
  /* the state and the error come as two events, maybe in two batches */
  return heron_account_get_state (fixture->account) == HERON_SYNC_STATE_AUTH_FAILED &&
         heron_account_get_error (fixture->account) != NULL;
}

/* A wrong password: AUTH_FAILED with the error; retry_login with the right one (remembered) goes
 * online and keeps it in the keyring. */
static void
test_wrong_password (void)
{
  Fixture fixture;
  g_autoptr(HeronAccountConfig) config = NULL;
  g_autofree char *secret = NULL;
  const GError *error;

  fixture_init (&fixture, "wrongpassword");
  fixture_new_manager (&fixture, TRUE);
  g_assert_true (heron_account_manager_load (fixture.manager, NULL, NULL));
  config = make_config (&fixture);
  add_account (&fixture, config, "not the password");
  wait_until (check_auth_failed, &fixture, "AUTH_FAILED");

  error = heron_account_get_error (fixture.account);
  g_assert_error (error, HERON_SYNC_ERROR, HERON_SYNC_ERROR_AUTH);
  g_assert_nonnull (strstr (error->message, fixture.user));
  {
    GError *property = NULL;
    g_object_get (fixture.account, "error", &property, NULL);
    g_assert_error (property, HERON_SYNC_ERROR, HERON_SYNC_ERROR_AUTH);
    g_error_free (property);
  }

  heron_account_retry_login (fixture.account, fixture.password, TRUE);
  wait_until (check_state, &fixture, "online after retry_login");
  g_assert_null (heron_account_get_error (fixture.account));
  wait_folder (&fixture, "INBOX", TRUE);

  /* remembered: the keyring has it (stored before the retry was handed over) */
  spin (200);
  secret = lookup_secret (heron_account_get_id (fixture.account), HERON_ACCOUNT_PROTOCOL_IMAP, fixture.user);
  g_assert_cmpstr (secret, ==, fixture.password);

  fixture_clear (&fixture);
}

static gboolean
check_untrusted (gconstpointer data)
{
  const Fixture *fixture = data;
  return heron_account_get_untrusted_certificate (fixture->account, NULL) != NULL;
}

/* A certificate that does not verify: the error names it, the account offers it with its
 * fingerprint; trusting it pins it in the account file and connects. */
static gboolean
on_waited (gpointer user_data)
{
  *(gboolean *) user_data = TRUE;
  return G_SOURCE_REMOVE;
}

static void
test_untrusted_certificate (void)
{
  Fixture fixture;
  g_autoptr(HeronAccountConfig) config = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *expected = NULL;
  g_autofree char *pem = NULL;
  g_autofree char *path = NULL;
  g_autofree char *contents = NULL;
  const char *fingerprint = NULL;

  fixture_init (&fixture, "certificate");
  fixture_new_manager (&fixture, FALSE);  /* the system's trust anchors only */
  g_assert_true (heron_account_manager_load (fixture.manager, NULL, NULL));
  config = make_config (&fixture);
  add_account (&fixture, config, fixture.password);
  wait_until (check_untrusted, &fixture, "the untrusted certificate");

  g_assert_error (heron_account_get_error (fixture.account), HERON_IMAP_ERROR, HERON_IMAP_ERROR_CERTIFICATE);
  g_assert_cmpint (heron_account_get_state (fixture.account), ==, HERON_SYNC_STATE_UNTRUSTED);
  /* The worker waits for the person: no second attempt after its reconnect delay (1 s, jitter
   * +-25 %) would have passed twice over. */
  {
    gboolean waited = FALSE;
    g_timeout_add (2600, on_waited, &waited);

    while (!waited)
      g_main_context_iteration (NULL, TRUE);
  }
  g_assert_cmpuint (heron_account_worker_get_n_login_attempts (_heron_account_get_worker (fixture.account)), ==, 1);
  g_assert_cmpint (heron_account_get_state (fixture.account), ==, HERON_SYNC_STATE_UNTRUSTED);
  pem = g_strdup (heron_account_get_untrusted_certificate (fixture.account, &fingerprint));
  g_assert_true (g_str_has_prefix (pem, "-----BEGIN CERTIFICATE-----"));
  expected = heron_tls_certificate_dup_fingerprint (heron_test_server_get_certificate (server));
  g_assert_cmpstr (fingerprint, ==, expected);

  heron_account_trust_certificate (fixture.account, pem);
  wait_until (check_state, &fixture, "online with the pinned certificate");
  g_assert_null (heron_account_get_untrusted_certificate (fixture.account, NULL));
  g_assert_null (heron_account_get_error (fixture.account));
  g_assert_cmpstr (heron_account_server_get_pinned_certificate_pem (
                     heron_account_config_get_imap (heron_account_get_config (fixture.account))), ==, pem);

  path = g_build_filename (fixture.config_dir, "accounts", "certificate-example-test.conf", NULL);
  g_assert_true (g_file_get_contents (path, &contents, NULL, &error));
  g_assert_no_error (error);
  g_assert_nonnull (strstr (contents, "PinnedCertificate=-----BEGIN CERTIFICATE-----"));

  fixture_clear (&fixture);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  int result;

  g_test_init (&argc, &argv, NULL);

  if (g_getenv ("DBUS_SESSION_BUS_ADDRESS") == NULL)
    g_error ("No session bus: run this test inside tests/harness/heron-test-session");

  server = heron_test_server_new_full (HERON_TEST_SERVER_FLAGS_NO_SMTP, &error);
  if (server == NULL)
    g_error ("The test server did not start: %s", error->message);
  tmpdir = g_dir_make_tmp ("heron-test-client-XXXXXX", &error);
  g_assert_no_error (error);

  /* Every user up front: Dovecot notices a changed passwd-file by its mtime (a second). */
  {
    static const char * const users[] = {
      "add", "serverfolders", "folderops", "foldernames", "flags", "newmail", "remove", "broken",
      "wrongpassword", "certificate", "unified1", "unified2", NULL
    };
    for (guint i = 0; users[i] != NULL; i++)
      {
        g_autofree char *user = g_strdup_printf ("%s@" HERON_TEST_SERVER_DOMAIN, users[i]);
        g_assert_true (heron_test_server_add_user (server, user, NULL, &error));
        g_assert_no_error (error);
      }
  }

  g_test_add_func ("/heron/client/account/add", test_add);
  g_test_add_func ("/heron/client/account/server-folders", test_server_folders);
  g_test_add_func ("/heron/client/account/folder-ops", test_folder_ops);
  g_test_add_func ("/heron/client/account/folder-names", test_folder_names);
  g_test_add_func ("/heron/client/account/flags-and-move", test_flags_and_move);
  g_test_add_func ("/heron/client/account/new-mail", test_new_mail);
  g_test_add_func ("/heron/client/account/remove", test_remove);
  g_test_add_func ("/heron/client/account/broken-file", test_broken_file);
  g_test_add_func ("/heron/client/account/unified-and-update", test_unified_and_update);
  g_test_add_func ("/heron/client/account/wrong-password", test_wrong_password);
  g_test_add_func ("/heron/client/account/untrusted-certificate", test_untrusted_certificate);

  result = g_test_run ();

  heron_test_server_free (server);
  {
    g_autofree char *command = g_strdup_printf ("rm -rf '%s'", tmpdir);
    (void) system (command);
  }
  g_free (tmpdir);
  return result;
}
