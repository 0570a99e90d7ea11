/* test-client-goa.c: GNOME Online Accounts' mail accounts in HeronAccountManager, with the real
 * goa-daemon, the real Dovecot of tests/servers and the keyring of tests/harness/heron-test-session
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * One goa-daemon and one Dovecot serve every test; each test has its own user and its own Heron
 * config and data directories. Accounts are added to GOA the way Settings adds them
 * (Manager.AddAccount), switched off through their MailDisabled property and removed through
 * Account.Remove, all over D-Bus. The keyring's truth comes from libsecret, the files' from the
 * file system, the server's from doveadm.
 */

#include "config.h"

#include <string.h>
#include <glib/gstdio.h>
#include <libsecret/secret.h>

#include "heron-test-server.h"
#include "../account/heron-test-goa.h"
#include "account/heron-account-config-store.h"
#include "account/heron-goa-provider.h"
#include "account/heron-secrets.h"
#include "client/heron-client-private.h"

#define WAIT_MS 60000

static HeronTestServer *server;
static HeronTestGoa *goa;
static char *tmpdir;
static const char *users[] = { "nodaemon", "mona", "gina", "hank", "iris", "jack", "kate", "lena",
                               "nora", "olga" };

static const SecretSchema heron_schema = {
  "io.github.heronmail.Heron.Secret", SECRET_SCHEMA_NONE,
  {
    { "account", SECRET_SCHEMA_ATTRIBUTE_STRING },
    { NULL, 0 },
  }
};

static const SecretSchema goa_schema = {
  "org.gnome.OnlineAccounts", SECRET_SCHEMA_DONT_MATCH_NAME,
  {
    { "goa-identity", SECRET_SCHEMA_ATTRIBUTE_STRING },
    { NULL, 0 },
  }
};

/* Waiting */

static gboolean
on_timeout (gpointer user_data)
{
  *(gboolean *) user_data = TRUE;
  return G_SOURCE_REMOVE;
}

typedef gboolean (*CheckFunc) (gconstpointer data);

/* Iterates the main context until check() holds; a hang fails after a minute. */
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
    {
      g_autofree char *logs = heron_test_server_dup_logs (server, 0);
      g_autofree char *goa_log = goa != NULL ? heron_test_goa_dup_log (goa) : NULL;

      g_printerr ("%s\n%s\n", logs, goa_log != NULL ? goa_log : "");
      g_error ("Timed out after %u ms waiting for %s", WAIT_MS, what);
    }
  g_source_remove (id);
}

static void
on_done (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

static gboolean
check_result (gconstpointer data)
{
  return *(GAsyncResult * const *) data != NULL;
}

/* A test's world */

typedef struct {
  char                *user;
  char                *password;
  char                *config_dir;
  char                *data_dir;
  HeronAccountManager *manager;
} Fixture;

static void
fixture_init (Fixture    *fixture,
              const char *name)
{
  memset (fixture, 0, sizeof *fixture);
  fixture->user = g_strdup_printf ("%s@" HERON_TEST_SERVER_DOMAIN, name);
  fixture->password = g_strdup (heron_test_server_get_user_password (server, fixture->user));
  fixture->config_dir = g_build_filename (tmpdir, name, "config", NULL);
  fixture->data_dir = g_build_filename (tmpdir, name, "data", NULL);
}

static gboolean
check_goa_ready (gconstpointer data)
{
  g_autoptr(GObject) provider = NULL;

  g_object_get ((gpointer) data, "goa-provider", &provider, NULL);
  return provider != NULL;
}

/* A manager of the fixture's directories, loaded, once GOA answered. */
static void
fixture_load (Fixture *fixture)
{
  g_autoptr(GTlsDatabase) database = NULL;
  g_autoptr(GError) error = NULL;

  fixture->manager = heron_account_manager_new (fixture->config_dir, fixture->data_dir);
  database = g_tls_file_database_new (heron_test_server_get_ca_file (server), &error);
  g_assert_no_error (error);
  heron_account_manager_set_tls_database (fixture->manager, database);
  g_assert_true (heron_account_manager_load (fixture->manager, NULL, &error));
  g_assert_no_error (error);
  wait_until (check_goa_ready, fixture->manager, "GOA to answer the manager");
}

static void
fixture_unload (Fixture *fixture)
{
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
  fixture_unload (fixture);
  g_free (fixture->user);
  g_free (fixture->password);
  g_free (fixture->config_dir);
  g_free (fixture->data_dir);
}

static guint
n_accounts (Fixture *fixture)
{
  return g_list_model_get_n_items (heron_account_manager_get_accounts (fixture->manager));
}

static HeronAccount *
first_account (Fixture *fixture)
{
  g_autoptr(HeronAccount) account = g_list_model_get_item (heron_account_manager_get_accounts (fixture->manager), 0);

  return account;  /* the list keeps it */
}

typedef struct {
  Fixture *fixture;
  guint    n;
} CountWait;

static gboolean
check_count (gconstpointer data)
{
  const CountWait *wait = data;

  return n_accounts (wait->fixture) == wait->n;
}

static void
wait_accounts (Fixture    *fixture,
               guint       n,
               const char *what)
{
  CountWait wait = { fixture, n };

  wait_until (check_count, &wait, what);
}

static gboolean
check_online (gconstpointer data)
{
  return heron_account_get_state ((HeronAccount *) data) == HERON_SYNC_STATE_ONLINE;
}

/* GOA */

static char *
goa_add_for_user (const char *user,
                  const char *password)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *imap_host = g_strdup_printf ("%s:%u", heron_test_server_get_host (server),
                                                heron_test_server_get_imap_port (server));
  g_autofree char *smtp_host = g_strdup_printf ("%s:%u", heron_test_server_get_host (server),
                                                heron_test_server_get_smtps_port (server));
  char *goa_id;

  goa_id = heron_test_goa_add_imap_smtp (user, password, &error,
                                         "Enabled", "true",
                                         "EmailAddress", user,
                                         "Name", "GOA Person",
                                         "ImapHost", imap_host,
                                         "ImapUserName", user,
                                         "ImapUseSsl", "false",
                                         "ImapUseTls", "true",
                                         "ImapAcceptSslErrors", "true",
                                         "SmtpHost", smtp_host,
                                         "SmtpUseAuth", "true",
                                         "SmtpUserName", user,
                                         "SmtpAuthPlain", "true",
                                         "SmtpUseSsl", "true",
                                         "SmtpUseTls", "false",
                                         "SmtpAcceptSslErrors", "true",
                                         NULL);
  g_assert_no_error (error);
  return goa_id;
}

static char *
goa_add_with_password (Fixture    *fixture,
                       const char *password)
{
  return goa_add_for_user (fixture->user, password);
}

static char *
goa_add (Fixture *fixture)
{
  return goa_add_with_password (fixture, fixture->password);
}

/* A GOA client of the test's own, for what Settings does to an account. */
static GoaObject *
goa_lookup (const char *goa_id)
{
  static GoaClient *client;
  g_autoptr(GError) error = NULL;

  if (client == NULL)
    {
      client = goa_client_new_sync (NULL, &error);
      g_assert_no_error (error);
    }
  return goa_client_lookup_by_id (client, goa_id);
}

typedef struct {
  const char *goa_id;
  gboolean    present;
} GoaWait;

static gboolean
check_goa (gconstpointer data)
{
  const GoaWait *wait = data;
  g_autoptr(GoaObject) object = goa_lookup (wait->goa_id);

  return (object != NULL) == wait->present;
}

static void
goa_remove (const char *goa_id)
{
  g_autoptr(GoaObject) object = NULL;
  g_autoptr(GError) error = NULL;
  GoaWait wait = { goa_id, TRUE };

  wait_until (check_goa, &wait, "the test's GOA client to see the account");
  object = goa_lookup (goa_id);
  g_assert_true (goa_account_call_remove_sync (goa_object_peek_account (object), NULL, &error));
  g_assert_no_error (error);
}

static void
goa_set_mail_disabled (const char *goa_id,
                       gboolean    disabled)
{
  g_autoptr(GoaObject) object = NULL;
  GoaWait wait = { goa_id, TRUE };

  wait_until (check_goa, &wait, "the test's GOA client to see the account");
  object = goa_lookup (goa_id);
  goa_account_set_mail_disabled (goa_object_peek_account (object), disabled);
}

/* Files and secrets */

static gboolean
account_file_exists (Fixture    *fixture,
                     const char *id)
{
  g_autofree char *file = g_strdup_printf ("%s.conf", id);
  g_autofree char *path = g_build_filename (fixture->config_dir, "accounts", file, NULL);

  return g_file_test (path, G_FILE_TEST_EXISTS);
}

static char *
account_file_text (Fixture    *fixture,
                   const char *id)
{
  g_autofree char *file = g_strdup_printf ("%s.conf", id);
  g_autofree char *path = g_build_filename (fixture->config_dir, "accounts", file, NULL);
  g_autoptr(GError) error = NULL;
  char *text = NULL;

  g_assert_true (g_file_get_contents (path, &text, NULL, &error));
  g_assert_no_error (error);
  return text;
}

static guint
n_heron_secrets (const char *id)
{
  g_autoptr(GError) error = NULL;
  GList *items;
  guint n;

  items = secret_password_search_sync (&heron_schema, SECRET_SEARCH_ALL, NULL, &error,
                                       "account", id, NULL);
  g_assert_no_error (error);
  n = g_list_length (items);
  g_list_free_full (items, g_object_unref);
  return n;
}

static gboolean
goa_has_secret (const char *goa_id)
{
  g_autofree char *identity = g_strdup_printf ("imap_smtp:gen0:%s", goa_id);
  g_autoptr(GError) error = NULL;
  char *secret;

  secret = secret_password_lookup_sync (&goa_schema, NULL, &error, "goa-identity", identity, NULL);
  g_assert_no_error (error);
  if (secret == NULL)
    return FALSE;
  secret_password_free (secret);
  return TRUE;
}

static gboolean
check_no_heron_secret (gconstpointer data)
{
  return n_heron_secrets (data) == 0;
}

static gboolean
removed_listed (Fixture    *fixture,
                const char *goa_id)
{
  g_autofree char *path = g_build_filename (fixture->config_dir, "goa.conf", NULL);
  g_autoptr(GKeyFile) key_file = g_key_file_new ();
  g_auto(GStrv) ids = NULL;

  if (!g_key_file_load_from_file (key_file, path, G_KEY_FILE_NONE, NULL))
    return FALSE;
  ids = g_key_file_get_string_list (key_file, "Removed", "Accounts", NULL, NULL);
  return ids != NULL && g_strv_contains ((const char * const *) ids, goa_id);
}

/* What Settings writes when the person types passwords for a GOA account: GOA's keyring item
 * (GOA itself is not asked to check them). */
static void
goa_set_passwords (const char *goa_id,
                   const char *imap_password,
                   const char *smtp_password)
{
  g_autofree char *identity = g_strdup_printf ("imap_smtp:gen0:%s", goa_id);
  g_autofree char *secret = g_strdup_printf ("{'imap-password': <'%s'>, 'smtp-password': <'%s'>}",
                                             imap_password, smtp_password);
  g_autoptr(GError) error = NULL;

  g_assert_true (secret_password_store_sync (&goa_schema, SECRET_COLLECTION_DEFAULT, "GOA test",
                                             secret, NULL, &error, "goa-identity", identity, NULL));
  g_assert_no_error (error);
}

static void
on_heron_secret_stored (GObject      *source,
                        GAsyncResult *result,
                        gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (heron_secrets_store_finish (result, &error));
  g_assert_no_error (error);
  *(gboolean *) user_data = TRUE;
}

static gboolean
check_flag (gconstpointer data)
{
  return *(const gboolean *) data;
}

static gboolean
on_tick (gpointer user_data)
{
  return G_SOURCE_CONTINUE;
}

/* Nothing of the account waits in its journal or outbox (a sent message is filed in Sent). The
 * cache is polled: a tick wakes the loop. */
static gboolean
check_nothing_pending (gconstpointer data)
{
  HeronAccount *account = (HeronAccount *) data;
  g_autoptr(GPtrArray) outbox = NULL;
  g_autoptr(GError) error = NULL;

  if (heron_account_get_n_pending (account) != 0)
    return FALSE;
  outbox = heron_store_outbox_read (heron_account_get_store_path (account), &error);
  g_assert_no_error (error);
  return outbox->len == 0;
}

/* wait_until() for what no event announces: a tick wakes the loop to look again */
static void
wait_polled (CheckFunc      check,
             gconstpointer  data,
             const char    *what)
{
  guint tick = g_timeout_add (50, on_tick, NULL);

  wait_until (check, data, what);
  g_source_remove (tick);
}

static void
wait_nothing_pending (HeronAccount *account)
{
  wait_polled (check_nothing_pending, account, "the account's journal and outbox empty");
}

static void
deliver (Fixture    *fixture,
         const char *subject)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *text = g_strdup_printf ("From: someone@example.test\r\n"
                                           "To: %s\r\n"
                                           "Subject: %s\r\n"
                                           "Date: Thu, 14 Nov 2024 09:30:00 +0000\r\n"
                                           "Message-ID: <%s.%u@heron.test>\r\n"
                                           "\r\n"
                                           "Hello.\r\n", fixture->user, subject, subject, g_random_int ());
  g_autoptr(GBytes) bytes = g_bytes_new (text, strlen (text));

  heron_test_server_deliver (server, fixture->user, "INBOX", bytes, NULL, &error);
  g_assert_no_error (error);
}

static gboolean
check_inbox (gconstpointer data)
{
  HeronFolder *inbox = heron_account_lookup_folder ((HeronAccount *) data, "INBOX");

  return inbox != NULL && heron_folder_get_total_count (inbox) == 2;
}

typedef struct {
  gboolean  done;
  gboolean  sent;
  char     *error;
} Sending;

static void
on_message_sent (HeronAccount *account,
                 const char   *message_id,
                 gpointer      user_data)
{
  Sending *sending = user_data;

  sending->sent = sending->done = TRUE;
}

static void
on_send_failed (HeronAccount *account,
                const char   *message_id,
                const GError *error,
                gpointer      user_data)
{
  Sending *sending = user_data;

  sending->error = g_strdup (error->message);
  sending->done = TRUE;
}

static gboolean
check_sending (gconstpointer data)
{
  return ((const Sending *) data)->done;
}

/* Sends a message to the fixture's user through Postfix, which logs in with GOA's password. */
static void
send_to_self (Fixture      *fixture,
              HeronAccount *account)
{
  g_autofree char *text = g_strdup_printf ("From: %s\r\nTo: %s\r\nSubject: sent with GOA\r\n"
                                           "Date: Thu, 14 Nov 2024 10:00:00 +0000\r\n"
                                           "Message-ID: <goa-send.%u@heron.test>\r\n\r\nHi.\r\n",
                                           fixture->user, fixture->user, g_random_int ());
  g_autoptr(GBytes) bytes = g_bytes_new (text, strlen (text));
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  Sending sending = { 0 };
  gulong ids[2];

  ids[0] = g_signal_connect (account, "message-sent", G_CALLBACK (on_message_sent), &sending);
  ids[1] = g_signal_connect (account, "send-failed", G_CALLBACK (on_send_failed), &sending);
  heron_account_send_async (account, bytes, NULL, on_done, &result);
  wait_until (check_result, &result, "send");
  g_assert_true (heron_account_send_finish (account, result, &error));
  g_assert_no_error (error);
  wait_until (check_sending, &sending, "the message sent");
  g_signal_handler_disconnect (account, ids[0]);
  g_signal_handler_disconnect (account, ids[1]);
  g_assert_cmpstr (sending.error, ==, NULL);
  g_assert_true (sending.sent);
  g_free (sending.error);
}

/* Tests */

static gboolean check_manager_sees_goa (gconstpointer data);

static gboolean
check_unbound (gconstpointer data)
{
  return heron_account_config_get_goa_account_id (heron_account_get_config ((HeronAccount *) data)) == NULL;
}

/* Before the daemon runs: Heron's own accounts load and run as ever, a GOA account's file waits
 * (kept, not started). When the daemon comes and does not list that account, the file still
 * waits: a list proves nothing (GOA leaves out what it cannot load, and a failed
 * GetManagedObjects lists nothing), only GOA's removal signal removes. A GOA account of the
 * same server and user as Heron's own account is not added a second time; another one is. */
static void
test_no_daemon (void)
{
  Fixture fixture;
  g_autoptr(HeronAccountConfigStore) store = NULL;
  g_autoptr(HeronAccountConfig) config = heron_account_config_new ();
  g_autoptr(HeronAccountIdentity) identity = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(HeronAccount) plain = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(HeronAccountConfig) own = NULL;
  HeronAccountServer *imap;
  g_autofree char *goa_file_id = NULL;
  g_autofree char *mona = g_strdup_printf ("mona@%s", HERON_TEST_SERVER_DOMAIN);
  g_autofree char *same_goa_id = NULL;
  g_autofree char *mona_goa_id = NULL;
  HeronAccount *account;

  fixture_init (&fixture, "nodaemon");

  /* a GOA account's file from an earlier run */
  store = heron_account_config_store_new_for_dirs (fixture.config_dir, fixture.data_dir);
  identity = heron_account_identity_new ("Old", "old@example.test");
  heron_account_config_add_identity (config, identity);
  heron_account_config_set_goa_account_id (config, "account_1600000000_0");
  imap = heron_account_config_get_imap (config);
  heron_account_server_set_host (imap, "imap.example.test");
  heron_account_server_set_user (imap, "old@example.test");
  heron_account_server_set_host (heron_account_config_get_smtp (config), "smtp.example.test");
  heron_account_server_set_user (heron_account_config_get_smtp (config), "old@example.test");
  heron_account_config_store_add (store, config, &error);
  g_assert_no_error (error);
  goa_file_id = g_strdup (heron_account_config_get_id (config));

  fixture_load (&fixture);
  g_assert_cmpuint (n_accounts (&fixture), ==, 0);
  g_assert_true (account_file_exists (&fixture, goa_file_id));

  /* one of Heron's own: added, online as ever */
  own = heron_account_config_new ();
  g_clear_object (&identity);
  identity = heron_account_identity_new ("Own", fixture.user);
  heron_account_config_add_identity (own, identity);
  imap = heron_account_config_get_imap (own);
  heron_account_server_set_host (imap, heron_test_server_get_host (server));
  heron_account_server_set_port (imap, heron_test_server_get_imap_port (server));
  heron_account_server_set_security (imap, HERON_ACCOUNT_SECURITY_STARTTLS);
  heron_account_server_set_user (imap, fixture.user);
  heron_account_server_set_host (heron_account_config_get_smtp (own), heron_test_server_get_host (server));
  heron_account_server_set_port (heron_account_config_get_smtp (own), heron_test_server_get_smtps_port (server));
  heron_account_server_set_user (heron_account_config_get_smtp (own), fixture.user);
  heron_account_manager_add_async (fixture.manager, own, fixture.password, NULL, on_done, &result);
  wait_until (check_result, &result, "add");
  plain = heron_account_manager_add_finish (fixture.manager, result, &error);
  g_assert_no_error (error);
  wait_until (check_online, plain, "Heron's own account online");
  g_assert_cmpuint (n_accounts (&fixture), ==, 1);
  g_assert_cmpuint (n_heron_secrets (heron_account_get_id (plain)), ==, 2);
  g_assert_true (account_file_exists (&fixture, goa_file_id));

  /* the daemon comes: it does not list account_1600000000_0, whose file waits on */
  goa = heron_test_goa_start (&error);
  g_assert_no_error (error);
  wait_until (check_manager_sees_goa, fixture.manager, "the manager to see the daemon");

  /* GOA's account of the same server and user as "Own", then another person's: by the time the
   * second is in Heron, the manager has gone through GOA's list (and a removal of the waiting
   * file would have finished) */
  same_goa_id = goa_add (&fixture);
  mona_goa_id = goa_add_for_user (mona, heron_test_server_get_user_password (server, mona));
  wait_accounts (&fixture, 2, "GOA's account of mona in Heron");
  account = g_list_model_get_item (heron_account_manager_get_accounts (fixture.manager), 1);
  g_object_unref (account);  /* the list keeps it */
  g_assert_cmpstr (heron_account_config_get_goa_account_id (heron_account_get_config (account)), ==, mona_goa_id);
  g_assert_true (heron_account_manager_lookup (fixture.manager, heron_account_get_id (plain)) == plain);
  g_assert_true (account_file_exists (&fixture, goa_file_id));
  g_assert_cmpuint (n_heron_secrets (heron_account_get_id (plain)), ==, 2);

  /* the same after a restart */
  fixture_unload (&fixture);
  fixture_load (&fixture);
  wait_accounts (&fixture, 2, "both accounts after a restart");
  g_assert_true (account_file_exists (&fixture, goa_file_id));
  g_assert_null (heron_account_manager_lookup (fixture.manager, goa_file_id));
  for (guint i = 0; i < 2; i++)
    {
      g_autoptr(HeronAccount) item = g_list_model_get_item (heron_account_manager_get_accounts (fixture.manager), i);

      g_assert_cmpstr (heron_account_config_get_goa_account_id (heron_account_get_config (item)), !=, same_goa_id);
    }

  goa_remove (same_goa_id);
  goa_remove (mona_goa_id);
  wait_accounts (&fixture, 1, "GOA's account of mona to leave Heron");
  g_assert_true (account_file_exists (&fixture, goa_file_id));
  fixture_clear (&fixture);
}

/* An account added in GOA appears in Heron, syncs and sends with GOA's password (Heron keeps none), comes
 * back from its file after a restart, and goes with its file and cache when GOA removes it. */
static void
test_appears_and_syncs (void)
{
  Fixture fixture;
  g_autofree char *goa_id = NULL;
  g_autofree char *id = NULL;
  g_autofree char *text = NULL;
  g_autofree char *cache_dir = NULL;
  HeronAccount *account;
  HeronAccountConfig *config;

  fixture_init (&fixture, "gina");
  deliver (&fixture, "first");
  deliver (&fixture, "second");
  fixture_load (&fixture);
  g_assert_cmpuint (n_accounts (&fixture), ==, 0);

  goa_id = goa_add (&fixture);
  wait_accounts (&fixture, 1, "the GOA account in Heron");
  account = first_account (&fixture);
  config = heron_account_get_config (account);
  id = g_strdup (heron_account_get_id (account));
  g_assert_cmpstr (heron_account_config_get_goa_account_id (config), ==, goa_id);
  g_assert_cmpstr (heron_account_get_email (account), ==, fixture.user);
  g_assert_cmpstr (heron_account_server_get_user (heron_account_config_get_imap (config)), ==, fixture.user);

  /* its file names the GOA account and holds no secret */
  text = account_file_text (&fixture, id);
  g_assert_nonnull (strstr (text, goa_id));
  g_assert_null (strstr (text, fixture.password));

  wait_until (check_online, account, "the GOA account online");
  wait_until (check_inbox, account, "INBOX synced");
  send_to_self (&fixture, account);

  /* the password was GOA's: the keyring has GOA's item and none of Heron's */
  g_assert_cmpuint (n_heron_secrets (id), ==, 0);
  g_assert_true (goa_has_secret (goa_id));
  wait_nothing_pending (account);

  /* a restart: the account comes from its file (same id, not added again); Heron keyring items
   * of it (an older Heron stored GOA's password there) go */
  fixture_unload (&fixture);
  {
    gboolean stored = FALSE;

    heron_secrets_store_async (id, HERON_ACCOUNT_PROTOCOL_IMAP, heron_test_server_get_host (server),
                               fixture.user, fixture.password, NULL, on_heron_secret_stored, &stored);
    wait_until (check_flag, &stored, "an old Heron keyring item stored");
    g_assert_cmpuint (n_heron_secrets (id), ==, 1);
  }
  fixture_load (&fixture);
  wait_accounts (&fixture, 1, "the GOA account after a restart");
  account = first_account (&fixture);
  g_assert_cmpstr (heron_account_get_id (account), ==, id);
  wait_until (check_online, account, "the GOA account online again");
  wait_polled (check_no_heron_secret, id, "Heron's old keyring item of the GOA account gone");

  /* removed in GOA: gone from Heron, file and cache too */
  cache_dir = g_build_filename (fixture.data_dir, id, NULL);
  g_assert_true (g_file_test (cache_dir, G_FILE_TEST_IS_DIR));
  goa_remove (goa_id);
  wait_accounts (&fixture, 0, "the GOA account to leave Heron");
  while (account_file_exists (&fixture, id) || g_file_test (cache_dir, G_FILE_TEST_EXISTS))
    g_main_context_iteration (NULL, TRUE);
  g_assert_false (removed_listed (&fixture, goa_id));

  fixture_clear (&fixture);
}

/* Mail switched off in Settings: the account leaves Heron's list, its file stays; on again: the
 * same account is back. */
static void
test_mail_disabled (void)
{
  Fixture fixture;
  g_autofree char *goa_id = NULL;
  g_autofree char *id = NULL;
  HeronAccount *account;

  fixture_init (&fixture, "hank");
  fixture_load (&fixture);
  goa_id = goa_add (&fixture);
  wait_accounts (&fixture, 1, "the GOA account in Heron");
  id = g_strdup (heron_account_get_id (first_account (&fixture)));

  goa_set_mail_disabled (goa_id, TRUE);
  wait_accounts (&fixture, 0, "the account to leave with mail switched off");
  g_assert_true (account_file_exists (&fixture, id));
  g_assert_null (heron_account_manager_lookup (fixture.manager, id));

  goa_set_mail_disabled (goa_id, FALSE);
  wait_accounts (&fixture, 1, "the account back with mail switched on");
  account = first_account (&fixture);
  g_assert_cmpstr (heron_account_get_id (account), ==, id);
  wait_until (check_online, account, "the account online");

  goa_remove (goa_id);
  wait_accounts (&fixture, 0, "the GOA account to leave Heron");
  fixture_clear (&fixture);
}

/* Removed in Heron: GOA keeps it, Heron does not add it again (also after a restart); once GOA
 * removes it too, Heron forgets it. */
static void
test_removed_in_heron (void)
{
  Fixture fixture;
  g_autofree char *goa_id = NULL;
  g_autofree char *id = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GoaObject) object = NULL;

  fixture_init (&fixture, "iris");
  fixture_load (&fixture);
  goa_id = goa_add (&fixture);
  wait_accounts (&fixture, 1, "the GOA account in Heron");
  id = g_strdup (heron_account_get_id (first_account (&fixture)));

  heron_account_manager_remove_async (fixture.manager, first_account (&fixture), NULL, on_done, &result);
  wait_until (check_result, &result, "remove");
  g_assert_true (heron_account_manager_remove_finish (fixture.manager, result, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (n_accounts (&fixture), ==, 0);
  g_assert_false (account_file_exists (&fixture, id));
  g_assert_true (removed_listed (&fixture, goa_id));
  object = goa_lookup (goa_id);
  g_assert_nonnull (object);
  g_assert_true (goa_has_secret (goa_id));

  /* GOA changes the account: still not added */
  goa_set_mail_disabled (goa_id, TRUE);
  goa_set_mail_disabled (goa_id, FALSE);
  fixture_unload (&fixture);
  fixture_load (&fixture);
  g_assert_cmpuint (n_accounts (&fixture), ==, 0);
  g_assert_false (account_file_exists (&fixture, id));

  goa_remove (goa_id);
  while (removed_listed (&fixture, goa_id))
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpuint (n_accounts (&fixture), ==, 0);

  fixture_clear (&fixture);
}

static gboolean
check_auth_failed (gconstpointer data)
{
  return heron_account_get_state ((HeronAccount *) data) == HERON_SYNC_STATE_AUTH_FAILED;
}

/* GOA's password is refused; the person types the right one in Settings (GOA's keyring item
 * changes and GOA checks it): Heron tries GOA's new password and goes online, still keeping no
 * secret of its own. */
static void
test_new_password (void)
{
  Fixture fixture;
  g_autofree char *goa_id = NULL;
  g_autofree char *identity = NULL;
  g_autofree char *secret = NULL;
  g_autoptr(GoaObject) object = NULL;
  g_autoptr(GError) error = NULL;
  HeronAccount *account;
  GoaWait wait;

  fixture_init (&fixture, "jack");
  fixture_load (&fixture);
  goa_id = goa_add_with_password (&fixture, "not-the-password");
  wait_accounts (&fixture, 1, "the GOA account in Heron");
  account = first_account (&fixture);
  wait_until (check_auth_failed, account, "the wrong password refused");
  g_assert_cmpuint (heron_account_worker_get_n_login_attempts (_heron_account_get_worker (account)), ==, 1);

  /* GOA finds out too (its own check): the account needs attention in Settings */
  wait = (GoaWait) { goa_id, TRUE };
  wait_until (check_goa, &wait, "the test's GOA client to see the account");
  object = goa_lookup (goa_id);
  g_assert_false (goa_account_call_ensure_credentials_sync (goa_object_peek_account (object), NULL, NULL, &error));
  g_assert_error (error, GOA_ERROR, GOA_ERROR_NOT_AUTHORIZED);
  g_clear_error (&error);
  g_assert_true (heron_account_get_state (account) == HERON_SYNC_STATE_AUTH_FAILED);

  /* what Settings does when the person signs in again: GOA's item, then GOA's own check */
  identity = g_strdup_printf ("imap_smtp:gen0:%s", goa_id);
  secret = g_strdup_printf ("{'imap-password': <'%s'>, 'smtp-password': <'%s'>}",
                            fixture.password, fixture.password);
  g_assert_true (secret_password_store_sync (&goa_schema, SECRET_COLLECTION_DEFAULT, "GOA test",
                                             secret, NULL, &error, "goa-identity", identity, NULL));
  g_assert_no_error (error);
  g_assert_true (goa_account_call_ensure_credentials_sync (goa_object_peek_account (object), NULL, NULL, &error));
  g_assert_no_error (error);

  wait_until (check_online, account, "the account online with GOA's new password");
  g_assert_true (first_account (&fixture) == account);
  g_assert_cmpuint (n_heron_secrets (heron_account_get_id (account)), ==, 0);

  goa_remove (goa_id);
  wait_accounts (&fixture, 0, "the GOA account to leave Heron");
  fixture_clear (&fixture);
}

/* GOA keeps an SMTP password apart from the IMAP one: the worker sends with GOA's
 * "smtp-password". Here it is wrong while the IMAP one is right, so the account syncs and its
 * send is refused by the server; with the IMAP password used for both it would go out.
 * Then GOA removes the account while the refused message waits in the outbox: the account stays
 * (file, cache, outbox), as an account of Heron's own, until the person removes it. */
static void
test_smtp_password (void)
{
  Fixture fixture;
  g_autofree char *goa_id = NULL;
  g_autofree char *identity = NULL;
  g_autofree char *secret = NULL;
  g_autofree char *text = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *id = NULL;
  g_autoptr(GPtrArray) outbox = NULL;
  HeronAccount *account;
  Sending sending = { 0 };
  gulong ids[2];

  fixture_init (&fixture, "lena");
  goa_id = goa_add (&fixture);
  identity = g_strdup_printf ("imap_smtp:gen0:%s", goa_id);
  secret = g_strdup_printf ("{'imap-password': <'%s'>, 'smtp-password': <'not-the-password'>}",
                            fixture.password);
  g_assert_true (secret_password_store_sync (&goa_schema, SECRET_COLLECTION_DEFAULT, "GOA test",
                                             secret, NULL, &error, "goa-identity", identity, NULL));
  g_assert_no_error (error);

  fixture_load (&fixture);
  wait_accounts (&fixture, 1, "the GOA account in Heron");
  account = first_account (&fixture);
  wait_until (check_online, account, "the GOA account online with its IMAP password");

  text = g_strdup_printf ("From: %s\r\nTo: %s\r\nSubject: wrong SMTP password\r\n"
                          "Date: Thu, 14 Nov 2024 10:00:00 +0000\r\n"
                          "Message-ID: <goa-smtp.%u@heron.test>\r\n\r\nHi.\r\n",
                          fixture.user, fixture.user, g_random_int ());
  bytes = g_bytes_new (text, strlen (text));
  ids[0] = g_signal_connect (account, "message-sent", G_CALLBACK (on_message_sent), &sending);
  ids[1] = g_signal_connect (account, "send-failed", G_CALLBACK (on_send_failed), &sending);
  heron_account_send_async (account, bytes, NULL, on_done, &result);
  wait_until (check_result, &result, "send");
  g_assert_true (heron_account_send_finish (account, result, &error));
  g_assert_no_error (error);
  wait_until (check_sending, &sending, "the send refused");
  g_signal_handler_disconnect (account, ids[0]);
  g_signal_handler_disconnect (account, ids[1]);
  g_assert_false (sending.sent);
  g_assert_nonnull (sending.error);
  g_test_message ("refused as expected: %s", sending.error);
  g_free (sending.error);
  g_assert_true (heron_account_get_state (account) == HERON_SYNC_STATE_ONLINE);
  g_assert_cmpuint (n_heron_secrets (heron_account_get_id (account)), ==, 0);

  goa_remove (goa_id);
  wait_until (check_unbound, account, "the account kept, no longer bound to GOA");
  g_assert_true (first_account (&fixture) == account);
  g_assert_cmpuint (n_accounts (&fixture), ==, 1);
  id = g_strdup (heron_account_get_id (account));
  g_free (text);
  text = account_file_text (&fixture, id);
  g_assert_null (strstr (text, goa_id));
  outbox = heron_store_outbox_read (heron_account_get_store_path (account), &error);
  g_assert_no_error (error);
  g_assert_cmpuint (outbox->len, ==, 1);

  /* the person removes it */
  g_clear_object (&result);
  heron_account_manager_remove_async (fixture.manager, account, NULL, on_done, &result);
  wait_until (check_result, &result, "remove");
  g_assert_true (heron_account_manager_remove_finish (fixture.manager, result, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (n_accounts (&fixture), ==, 0);
  g_assert_false (account_file_exists (&fixture, id));
  fixture_clear (&fixture);
}

/* Settings changes the passwords in GOA's keyring item (GOA is not asked to check them, so it
 * reports no change): every new worker of the account, and every retry, reads them again, IMAP
 * and SMTP. Wrong at first: refused. Right in GOA, a retry without a password goes online and
 * sends. Wrong again in GOA, a settings change (a new worker) is refused; right again, the next
 * settings change goes online. */
static void
test_passwords_read_again (void)
{
  Fixture fixture;
  g_autofree char *goa_id = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  HeronAccount *account;

  fixture_init (&fixture, "nora");
  fixture_load (&fixture);
  goa_id = goa_add_with_password (&fixture, "not-the-password");
  wait_accounts (&fixture, 1, "the GOA account in Heron");
  account = first_account (&fixture);
  wait_until (check_auth_failed, account, "the wrong password refused");

  goa_set_passwords (goa_id, fixture.password, fixture.password);
  heron_account_retry_login (account, NULL, FALSE);
  wait_until (check_online, account, "the account online with GOA's passwords read again");
  send_to_self (&fixture, account);
  g_assert_cmpuint (n_heron_secrets (heron_account_get_id (account)), ==, 0);

  for (guint round = 0; round < 2; round++)
    {
      g_autoptr(HeronAccountConfig) copy = heron_account_config_copy (heron_account_get_config (account));
      gboolean right = round == 1;

      goa_set_passwords (goa_id, right ? fixture.password : "not-the-password",
                         right ? fixture.password : "not-the-password");
      heron_account_config_set_prefetch_days (copy, heron_account_config_get_prefetch_days (copy) + 1);
      g_clear_object (&result);
      heron_account_manager_update_async (fixture.manager, account, copy, NULL, NULL, on_done, &result);
      wait_until (check_result, &result, "update");
      g_assert_true (heron_account_manager_update_finish (fixture.manager, result, &error));
      g_assert_no_error (error);
      if (right)
        wait_until (check_online, account, "the new worker online with GOA's right passwords");
      else
        wait_until (check_auth_failed, account, "the new worker refused with GOA's wrong passwords");
    }
  send_to_self (&fixture, account);
  g_assert_cmpuint (n_heron_secrets (heron_account_get_id (account)), ==, 0);
  wait_nothing_pending (account);

  goa_remove (goa_id);
  wait_accounts (&fixture, 0, "the GOA account to leave Heron");
  fixture_clear (&fixture);
}

static gboolean
check_manager_sees_goa (gconstpointer data)
{
  g_autoptr(GObject) provider = NULL;

  g_object_get ((gpointer) data, "goa-provider", &provider, NULL);
  return heron_goa_provider_is_running (HERON_GOA_PROVIDER (provider));
}

static gboolean
check_manager_lost_goa (gconstpointer data)
{
  g_autoptr(GObject) provider = NULL;
  GList *objects;
  gboolean lost;

  g_object_get ((gpointer) data, "goa-provider", &provider, NULL);
  objects = goa_client_get_accounts (heron_goa_provider_get_client (HERON_GOA_PROVIDER (provider)));
  lost = !heron_goa_provider_is_running (HERON_GOA_PROVIDER (provider)) && objects == NULL;
  g_list_free_full (objects, g_object_unref);
  return lost;
}

static gboolean
check_on_imaps (gconstpointer data)
{
  HeronAccount *account = (HeronAccount *) data;
  HeronAccountServer *imap = heron_account_config_get_imap (heron_account_get_config (account));

  return heron_account_server_get_effective_port (imap) == heron_test_server_get_imaps_port (server) &&
         heron_account_get_state (account) == HERON_SYNC_STATE_ONLINE;
}

/* GOA's key file: account @goa_id on Dovecot's implicit-TLS port (the daemon reads it at start) */
static void
goa_conf_use_imaps (const char *goa_id)
{
  g_autoptr(GKeyFile) key_file = g_key_file_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *conf_path = g_build_filename (g_get_user_config_dir (), "goa-1.0", "accounts.conf", NULL);
  g_autofree char *group = g_strdup_printf ("Account %s", goa_id);
  g_autofree char *imaps_host = g_strdup_printf ("%s:%u", heron_test_server_get_host (server),
                                                 heron_test_server_get_imaps_port (server));

  g_assert_true (g_key_file_load_from_file (key_file, conf_path, G_KEY_FILE_KEEP_COMMENTS, &error));
  g_assert_no_error (error);
  g_key_file_set_string (key_file, group, "ImapHost", imaps_host);
  g_key_file_set_boolean (key_file, group, "ImapUseSsl", TRUE);
  g_key_file_set_boolean (key_file, group, "ImapUseTls", FALSE);
  g_assert_true (g_key_file_save_to_file (key_file, conf_path, &error));
  g_assert_no_error (error);
}

/* The daemon stops (a crash, an update) and comes back: GOA lists nothing meanwhile, which says
 * nothing about the accounts, so Heron's GOA account stays, running, file and all. Meanwhile the
 * account's IMAP server changed in GOA's file (implicit TLS now): Heron's account follows. */
static void
test_daemon_restart (void)
{
  Fixture fixture;
  g_autofree char *goa_id = NULL;
  g_autofree char *id = NULL;
  g_autofree char *text = NULL;
  g_autoptr(GError) error = NULL;
  HeronAccount *account;

  fixture_init (&fixture, "kate");
  fixture_load (&fixture);
  goa_id = goa_add (&fixture);
  wait_accounts (&fixture, 1, "the GOA account in Heron");
  account = first_account (&fixture);
  id = g_strdup (heron_account_get_id (account));
  wait_until (check_online, account, "the account online");

  heron_test_goa_stop (goa);
  goa = NULL;
  /* the manager's client dropped the daemon's objects */
  wait_until (check_manager_lost_goa, fixture.manager, "the manager to see the daemon go");
  g_assert_cmpuint (n_accounts (&fixture), ==, 1);
  g_assert_true (first_account (&fixture) == account);
  g_assert_true (account_file_exists (&fixture, id));
  g_assert_cmpint (heron_account_get_state (account), ==, HERON_SYNC_STATE_ONLINE);

  /* GOA's key file: the same account on Dovecot's implicit-TLS port */
  goa_conf_use_imaps (goa_id);

  goa = heron_test_goa_start (&error);
  g_assert_no_error (error);
  wait_until (check_manager_sees_goa, fixture.manager, "the manager to see the daemon again");
  g_assert_cmpuint (n_accounts (&fixture), ==, 1);
  g_assert_true (first_account (&fixture) == account);

  wait_until (check_on_imaps, account, "the account online on the new server");
  g_assert_cmpint (heron_account_server_get_security (heron_account_config_get_imap (heron_account_get_config (account))),
                   ==, HERON_ACCOUNT_SECURITY_TLS);
  text = account_file_text (&fixture, id);
  g_assert_nonnull (strstr (text, "Security=tls"));

  goa_remove (goa_id);
  wait_accounts (&fixture, 0, "the GOA account to leave Heron");
  fixture_clear (&fixture);
}

static void
on_accounts_changed (GListModel *accounts,
                     guint       position,
                     guint       removed,
                     guint       added,
                     gpointer    user_data)
{
  GArray *ports = user_data;

  for (guint i = position; i < position + added; i++)
    {
      g_autoptr(HeronAccount) account = g_list_model_get_item (accounts, i);
      guint port = heron_account_server_get_effective_port (heron_account_config_get_imap (heron_account_get_config (account)));

      g_array_append_val (ports, port);
    }
}

/* The account's IMAP server changes in GOA while Heron is closed (GOA's file, read by the daemon
 * when it starts): Heron starts the account on GOA's new server, never on the old one with GOA's
 * password (the account enters the list with the new server), and its file says so. */
static void
test_servers_changed_while_closed (void)
{
  Fixture fixture;
  g_autofree char *goa_id = NULL;
  g_autofree char *id = NULL;
  g_autofree char *text = NULL;
  g_autoptr(GArray) ports = g_array_new (FALSE, FALSE, sizeof (guint));
  g_autoptr(GError) error = NULL;
  HeronAccount *account;

  fixture_init (&fixture, "olga");
  fixture_load (&fixture);
  goa_id = goa_add (&fixture);
  wait_accounts (&fixture, 1, "the GOA account in Heron");
  account = first_account (&fixture);
  id = g_strdup (heron_account_get_id (account));
  wait_until (check_online, account, "the account online");
  g_assert_cmpint (heron_account_server_get_effective_port (heron_account_config_get_imap (heron_account_get_config (account))),
                   ==, heron_test_server_get_imap_port (server));
  fixture_unload (&fixture);

  /* Heron is closed; GOA's key file now says: Dovecot's implicit-TLS port */
  heron_test_goa_stop (goa);
  goa = NULL;
  goa_conf_use_imaps (goa_id);
  goa = heron_test_goa_start (&error);
  g_assert_no_error (error);

  fixture_load (&fixture);
  /* (GOA answered; the account waits for its passwords) */
  g_signal_connect (heron_account_manager_get_accounts (fixture.manager), "items-changed",
                    G_CALLBACK (on_accounts_changed), ports);
  wait_accounts (&fixture, 1, "the GOA account after the restart");
  account = first_account (&fixture);
  g_assert_cmpstr (heron_account_get_id (account), ==, id);
  /* started on the new server at once: no worker ever ran on the old one */
  g_assert_cmpuint (ports->len, ==, 1);
  g_assert_cmpuint (g_array_index (ports, guint, 0), ==, heron_test_server_get_imaps_port (server));
  g_signal_handlers_disconnect_by_func (heron_account_manager_get_accounts (fixture.manager),
                                       on_accounts_changed, ports);
  wait_until (check_on_imaps, account, "the account online on GOA's new server");
  text = account_file_text (&fixture, id);
  g_assert_nonnull (strstr (text, "Security=tls"));

  goa_remove (goa_id);
  wait_accounts (&fixture, 0, "the GOA account to leave Heron");
  fixture_clear (&fixture);
}

int
main (int   argc,
      char *argv[])
{
  const char *bus = g_getenv ("DBUS_SESSION_BUS_ADDRESS");
  g_autoptr(GError) error = NULL;
  int status;

  g_test_init (&argc, &argv, NULL);

  if (bus == NULL || strstr (bus, "/heron-session.") == NULL)
    g_error ("No private session bus: run this test inside tests/harness/heron-test-session");

  server = heron_test_server_new (&error);
  g_assert_no_error (error);
  tmpdir = g_dir_make_tmp ("heron-client-goa-XXXXXX", &error);
  g_assert_no_error (error);
  /* every test's user now: Dovecot may not see a user added in the second it last read its
   * passwd-file */
  for (guint i = 0; i < G_N_ELEMENTS (users); i++)
    {
      g_autofree char *user = g_strdup_printf ("%s@" HERON_TEST_SERVER_DOMAIN, users[i]);

      g_assert_true (heron_test_server_add_user (server, user, NULL, &error));
      g_assert_no_error (error);
    }

  /* in this order: the first starts the daemon */
  g_test_add_func ("/heron/client/goa/no-daemon", test_no_daemon);
  g_test_add_func ("/heron/client/goa/appears-and-syncs", test_appears_and_syncs);
  g_test_add_func ("/heron/client/goa/mail-disabled", test_mail_disabled);
  g_test_add_func ("/heron/client/goa/removed-in-heron", test_removed_in_heron);
  g_test_add_func ("/heron/client/goa/new-password", test_new_password);
  g_test_add_func ("/heron/client/goa/smtp-password", test_smtp_password);
  g_test_add_func ("/heron/client/goa/daemon-restart", test_daemon_restart);
  g_test_add_func ("/heron/client/goa/passwords-read-again", test_passwords_read_again);
  g_test_add_func ("/heron/client/goa/servers-changed-while-closed", test_servers_changed_while_closed);

  status = g_test_run ();

  heron_test_goa_stop (goa);
  heron_test_server_free (server);
  return status;
}
