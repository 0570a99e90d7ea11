/* test-account-secrets.c: passwords in a real gnome-keyring
 *
 * Copyright 2026 The Heron developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Runs inside tests/harness/heron-test-session: a private D-Bus session bus with a real,
 * unlocked gnome-keyring-daemon. Nothing is mocked. Checks against the keyring use the Secret
 * Service's D-Bus API and the secret-tool program, independently of the code under test.
 */

#include "config.h"

#include <string.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "account/heron-account.h"
#include "test-account-dirs.h"

#define PASSWORD "correct horse battery staple"
#define PASSWORD_2 "Tr0ub4dor&3 — ünïcode"

static GAsyncResult *
wait_for (GAsyncResult **slot)
{
  while (*slot == NULL)
    g_main_context_iteration (NULL, TRUE);
  return *slot;
}

static void
store_result_cb (GObject      *source_object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  GAsyncResult **slot = user_data;

  *slot = g_object_ref (result);
}

static void
store_secret (const char           *account,
              HeronAccountProtocol  protocol,
              const char           *host,
              const char           *user,
              const char           *secret)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  heron_secrets_store_async (account, protocol, host, user, secret, NULL, store_result_cb, &result);
  g_assert_true (heron_secrets_store_finish (wait_for (&result), &error));
  g_assert_no_error (error);
}

static char *
lookup_secret (const char           *account,
               HeronAccountProtocol  protocol,
               const char           *host,
               const char           *user)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  char *secret;
  char *copy;

  heron_secrets_lookup_async (account, protocol, host, user, NULL, store_result_cb, &result);
  secret = heron_secrets_lookup_finish (wait_for (&result), &error);
  g_assert_no_error (error);
  copy = g_strdup (secret);
  heron_secrets_free (secret);
  return copy;
}

static void
clear_secrets (const char *account)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  heron_secrets_clear_async (account, NULL, store_result_cb, &result);
  g_assert_true (heron_secrets_clear_finish (wait_for (&result), &error));
  g_assert_no_error (error);
}

/* How many items of the schema the keyring holds for an account, asked of the Secret Service
 * over D-Bus directly (SearchItems), independently of libsecret and of the code under test. */
static guint
count_items (const char *account)
{
  g_autoptr(GDBusConnection) bus = NULL;
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GVariant) unlocked = NULL;
  g_autoptr(GVariant) locked = NULL;
  g_autoptr(GError) error = NULL;
  GVariantBuilder attributes;

  bus = g_bus_get_sync (G_BUS_TYPE_SESSION, NULL, &error);
  g_assert_no_error (error);
  g_variant_builder_init (&attributes, G_VARIANT_TYPE ("a{ss}"));
  g_variant_builder_add (&attributes, "{ss}", "xdg:schema", HERON_SECRETS_SCHEMA_NAME);
  g_variant_builder_add (&attributes, "{ss}", "account", account);
  reply = g_dbus_connection_call_sync (bus, "org.freedesktop.secrets", "/org/freedesktop/secrets",
                                       "org.freedesktop.Secret.Service", "SearchItems",
                                       g_variant_new ("(a{ss})", &attributes),
                                       G_VARIANT_TYPE ("(aoao)"), G_DBUS_CALL_FLAGS_NONE, -1, NULL,
                                       &error);
  g_assert_no_error (error);
  unlocked = g_variant_get_child_value (reply, 0);
  locked = g_variant_get_child_value (reply, 1);
  return (guint) (g_variant_n_children (unlocked) + g_variant_n_children (locked));
}

static void
test_store_lookup_replace (void)
{
  g_autofree char *found = NULL;
  g_autofree char *other = NULL;

  store_secret ("acct-replace", HERON_ACCOUNT_PROTOCOL_IMAP, "imap.example.test", "alice", PASSWORD);
  found = lookup_secret ("acct-replace", HERON_ACCOUNT_PROTOCOL_IMAP, "imap.example.test", "alice");
  g_assert_cmpstr (found, ==, PASSWORD);
  g_assert_cmpuint (count_items ("acct-replace"), ==, 1);

  /* Storing again replaces: still one item, with the new value. */
  store_secret ("acct-replace", HERON_ACCOUNT_PROTOCOL_IMAP, "imap.example.test", "alice", PASSWORD_2);
  g_clear_pointer (&found, g_free);
  found = lookup_secret ("acct-replace", HERON_ACCOUNT_PROTOCOL_IMAP, "imap.example.test", "alice");
  g_assert_cmpstr (found, ==, PASSWORD_2);
  g_assert_cmpuint (count_items ("acct-replace"), ==, 1);

  /* Every attribute counts: the SMTP password is another item. */
  store_secret ("acct-replace", HERON_ACCOUNT_PROTOCOL_SMTP, "imap.example.test", "alice", PASSWORD);
  g_assert_cmpuint (count_items ("acct-replace"), ==, 2);
  other = lookup_secret ("acct-replace", HERON_ACCOUNT_PROTOCOL_SMTP, "imap.example.test", "alice");
  g_assert_cmpstr (other, ==, PASSWORD);
  g_clear_pointer (&found, g_free);
  found = lookup_secret ("acct-replace", HERON_ACCOUNT_PROTOCOL_IMAP, "imap.example.test", "alice");
  g_assert_cmpstr (found, ==, PASSWORD_2);

  clear_secrets ("acct-replace");
  g_assert_cmpuint (count_items ("acct-replace"), ==, 0);
}

static void
test_missing_is_null (void)
{
  g_autofree char *found = NULL;

  found = lookup_secret ("acct-nobody", HERON_ACCOUNT_PROTOCOL_IMAP, "imap.example.test", "nobody");
  g_assert_null (found);

  /* A near miss (another user) is not a match either. */
  store_secret ("acct-near", HERON_ACCOUNT_PROTOCOL_IMAP, "imap.example.test", "alice", PASSWORD);
  found = lookup_secret ("acct-near", HERON_ACCOUNT_PROTOCOL_IMAP, "imap.example.test", "alicia");
  g_assert_null (found);
  clear_secrets ("acct-near");
}

/* Clearing removes every item of one account and nothing of another. */
static void
test_clear_account (void)
{
  store_secret ("acct-a", HERON_ACCOUNT_PROTOCOL_IMAP, "imap.example.test", "alice", PASSWORD);
  store_secret ("acct-a", HERON_ACCOUNT_PROTOCOL_SMTP, "smtp.example.test", "alice", PASSWORD);
  store_secret ("acct-a", HERON_ACCOUNT_PROTOCOL_IMAP, "old-imap.example.test", "alice", PASSWORD);
  store_secret ("acct-b", HERON_ACCOUNT_PROTOCOL_IMAP, "imap.example.test", "alice", PASSWORD_2);
  g_assert_cmpuint (count_items ("acct-a"), ==, 3);

  clear_secrets ("acct-a");
  g_assert_cmpuint (count_items ("acct-a"), ==, 0);
  g_assert_cmpuint (count_items ("acct-b"), ==, 1);

  /* Nothing left to clear is not an error. */
  clear_secrets ("acct-a");

  clear_secrets ("acct-b");
}

static char *
run_secret_tool (const char * const *argv,
                 const char         *input)
{
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;

  process = g_subprocess_newv (argv, G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE
                                     | G_SUBPROCESS_FLAGS_STDERR_PIPE, &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (process, input, NULL, &out, &err, &error);
  g_assert_no_error (error);
  if (!g_subprocess_get_successful (process))
    g_error ("secret-tool failed: %s", err);
  return g_steal_pointer (&out);
}

/* The items build-aux/demo-profile makes with secret-tool are Heron's, and the other way round. */
static void
test_secret_tool_interop (void)
{
  const char * const store_argv[] = {
    "secret-tool", "store", "--label=Heron: imap alice@example.test",
    "xdg:schema", HERON_SECRETS_SCHEMA_NAME, "account", "demo", "protocol", "imap",
    "host", "127.0.0.1", "user", "alice@example.test", NULL,
  };
  const char * const lookup_argv[] = {
    "secret-tool", "lookup",
    "xdg:schema", HERON_SECRETS_SCHEMA_NAME, "account", "demo", "protocol", "smtp",
    "host", "127.0.0.1", "user", "alice@example.test", NULL,
  };
  g_autofree char *found = NULL;
  g_autofree char *printed = NULL;
  g_autofree char *ignored = NULL;

  g_autofree char *secret_tool = g_find_program_in_path ("secret-tool");

  if (secret_tool == NULL)
    g_error ("secret-tool is missing (package libsecret-tools; build-aux/setup-deps installs it)");

  /* printf %s, as the demo does: no newline in the password. */
  ignored = run_secret_tool (store_argv, PASSWORD);
  found = lookup_secret ("demo", HERON_ACCOUNT_PROTOCOL_IMAP, "127.0.0.1", "alice@example.test");
  g_assert_cmpstr (found, ==, PASSWORD);

  store_secret ("demo", HERON_ACCOUNT_PROTOCOL_SMTP, "127.0.0.1", "alice@example.test", PASSWORD_2);
  printed = run_secret_tool (lookup_argv, NULL);
  g_assert_cmpstr (printed, ==, PASSWORD_2);

  clear_secrets ("demo");
  g_assert_cmpuint (count_items ("demo"), ==, 0);
}

static char *
accounts_dir (void)
{
  return g_build_filename (g_get_user_config_dir (), "heron", "accounts", NULL);
}

static void
assert_no_account_file_holds (const char *secret)
{
  g_autofree char *dir = accounts_dir ();
  g_autoptr(GDir) handle = g_dir_open (dir, 0, NULL);
  const char *name;

  while (handle != NULL && (name = g_dir_read_name (handle)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);
      g_autofree char *text = NULL;

      g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
      if (strstr (text, secret) != NULL)
        g_error ("%s holds the password", path);
    }
}

static void
write_text (const char *path,
            const char *text)
{
  g_autoptr(GError) error = NULL;

  g_file_set_contents (path, text, -1, &error);
  g_assert_no_error (error);
}

typedef struct {
  guint removed;
} RemovedCount;

static void
changed_cb (HeronAccountConfigStore *store,
            HeronAccountConfig      *config,
            HeronAccountChange       change,
            RemovedCount            *count)
{
  if (change == HERON_ACCOUNT_CHANGE_REMOVED)
    count->removed++;
}

/* Removing an account removes its file, its secrets and its cache, and nothing else. Along the
 * way no account file ever holds the password. */
static void
test_remove_account (void)
{
  g_autoptr(HeronAccountConfigStore) store = heron_account_config_store_new ();
  g_autoptr(HeronAccountConfig) config = heron_account_config_new ();
  g_autoptr(HeronAccountConfig) other = heron_account_config_new ();
  g_autoptr(HeronAccountIdentity) identity = heron_account_identity_new ("Rita", "rita@example.test");
  g_autoptr(HeronAccountIdentity) other_identity = heron_account_identity_new ("Sam", "sam@example.test");
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *id = NULL;
  g_autofree char *path = NULL;
  g_autofree char *cache = NULL;
  g_autofree char *nested = NULL;
  g_autofree char *outside = NULL;
  g_autofree char *link = NULL;
  g_autofree char *other_cache = NULL;
  RemovedCount count = { 0 };

  heron_account_config_add_identity (config, identity);
  g_object_set (heron_account_config_get_imap (config), "host", "imap.example.test", "user", "rita", NULL);
  g_object_set (heron_account_config_get_smtp (config), "host", "smtp.example.test", "user", "rita", NULL);
  heron_account_config_add_identity (other, other_identity);
  g_object_set (heron_account_config_get_imap (other), "host", "imap.example.test", "user", "sam", NULL);
  g_object_set (heron_account_config_get_smtp (other), "host", "smtp.example.test", "user", "sam", NULL);

  heron_account_config_store_load (store, NULL, &error);
  g_assert_no_error (error);
  heron_account_config_store_add (store, config, &error);
  g_assert_no_error (error);
  heron_account_config_store_add (store, other, &error);
  g_assert_no_error (error);
  assert_no_account_file_holds (PASSWORD);
  id = g_strdup (heron_account_config_get_id (config));

  store_secret (id, HERON_ACCOUNT_PROTOCOL_IMAP, "imap.example.test", "rita", PASSWORD);
  assert_no_account_file_holds (PASSWORD);
  store_secret (id, HERON_ACCOUNT_PROTOCOL_SMTP, "smtp.example.test", "rita", PASSWORD);
  store_secret (heron_account_config_get_id (other), HERON_ACCOUNT_PROTOCOL_IMAP, "imap.example.test",
                "sam", PASSWORD_2);
  assert_no_account_file_holds (PASSWORD);

  heron_account_config_set_display_name (config, "Rita at work");
  heron_account_config_store_save (store, config, &error);
  g_assert_no_error (error);
  assert_no_account_file_holds (PASSWORD);
  assert_no_account_file_holds (PASSWORD_2);

  /* A cache with nested folders, and a link out of it whose target must survive. */
  cache = heron_account_config_store_dup_cache_dir (store, id);
  g_assert_true (g_str_has_prefix (cache, g_get_user_data_dir ()));
  nested = g_build_filename (cache, "bodies", "00", NULL);
  g_assert_cmpint (g_mkdir_with_parents (nested, 0700), ==, 0);
  {
    g_autofree char *db = g_build_filename (cache, "cache.sqlite", NULL);
    g_autofree char *body = g_build_filename (nested, "1.eml", NULL);

    write_text (db, "database");
    write_text (body, "message");
  }
  outside = g_build_filename (g_get_user_data_dir (), "precious.txt", NULL);
  write_text (outside, "keep me");
  link = g_build_filename (cache, "link-out", NULL);
  g_assert_cmpint (symlink (outside, link), ==, 0);
  other_cache = heron_account_config_store_dup_cache_dir (store, heron_account_config_get_id (other));
  g_assert_cmpint (g_mkdir_with_parents (other_cache, 0700), ==, 0);

  path = heron_account_config_store_dup_path (store, id);
  g_assert_true (g_file_test (path, G_FILE_TEST_EXISTS));
  g_assert_cmpuint (count_items (id), ==, 2);

  g_signal_connect (store, "changed", G_CALLBACK (changed_cb), &count);
  heron_account_config_store_remove_async (store, config, NULL, store_result_cb, &result);
  g_assert_true (heron_account_config_store_remove_finish (store, wait_for (&result), &error));
  g_assert_no_error (error);

  g_assert_cmpuint (count.removed, ==, 1);
  g_assert_null (heron_account_config_store_lookup (store, id));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (store)), ==, 1);
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
  g_assert_false (g_file_test (cache, G_FILE_TEST_EXISTS));
  g_assert_cmpuint (count_items (id), ==, 0);

  /* What is not the account's stays. */
  g_assert_true (g_file_test (outside, G_FILE_TEST_IS_REGULAR));
  g_assert_true (g_file_test (other_cache, G_FILE_TEST_IS_DIR));
  g_assert_cmpuint (count_items (heron_account_config_get_id (other)), ==, 1);
  assert_no_account_file_holds (PASSWORD_2);

  /* A reload agrees. */
  {
    g_autoptr(HeronAccountConfigStore) reloaded = heron_account_config_store_new ();

    heron_account_config_store_load (reloaded, NULL, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (reloaded)), ==, 1);
  }

  /* Removing it again: it is no longer in the store. */
  g_clear_object (&result);
  heron_account_config_store_remove_async (store, config, NULL, store_result_cb, &result);
  g_assert_false (heron_account_config_store_remove_finish (store, wait_for (&result), &error));
  g_assert_error (error, HERON_ACCOUNT_ERROR, HERON_ACCOUNT_ERROR_NOT_FOUND);
  g_clear_error (&error);

  clear_secrets (heron_account_config_get_id (other));
}

static void
test_not_in_session (void)
{
  g_test_fail_printf ("test-account-secrets needs the private keyring of "
                      "tests/harness/heron-test-session (meson test runs it there); it never "
                      "touches the keyring of the session it was started from");
}

static void
run_isolated (gconstpointer data)
{
  GTestFunc test = (GTestFunc) data;

  test_account_dirs_reset ();
  test ();
}

int
main (int argc, char *argv[])
{
  const char *bus = g_getenv ("DBUS_SESSION_BUS_ADDRESS");
  int status;

  test_account_dirs_init ();
  g_test_init (&argc, &argv, NULL);

  /* heron-test-session's bus listens in its own "heron-session.XXXXXX" directory. Anywhere else
   * this would write to a person's real keyring: fail instead, saying why. */
  if (bus == NULL || strstr (bus, "/heron-session.") == NULL)
    g_test_add_func ("/heron/account/secrets/session", test_not_in_session);
  else
    {
      g_test_add_data_func ("/heron/account/secrets/store-lookup-replace", test_store_lookup_replace, run_isolated);
      g_test_add_data_func ("/heron/account/secrets/missing-is-null", test_missing_is_null, run_isolated);
      g_test_add_data_func ("/heron/account/secrets/clear-account", test_clear_account, run_isolated);
      g_test_add_data_func ("/heron/account/secrets/secret-tool-interop", test_secret_tool_interop, run_isolated);
      g_test_add_data_func ("/heron/account/secrets/remove-account", test_remove_account, run_isolated);
    }

  status = g_test_run ();
  test_account_dirs_cleanup ();
  return status;
}
