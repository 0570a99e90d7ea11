/* test-account-config.c: account files — reading, writing, validation, ids
 *
 * Copyright 2026 The Heron developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Every test runs with private XDG directories (test-account-dirs.h), emptied before it, so the
 * store's default places ($XDG_CONFIG_HOME/heron/accounts, $XDG_DATA_HOME/heron) are empty at the
 * start.
 */

#include "config.h"

#include <string.h>
#include <sys/stat.h>

#include <glib/gstdio.h>

#include "account/heron-account.h"
#include "test-account-dirs.h"

#define FAKE_PEM \
  "-----BEGIN CERTIFICATE-----\n" \
  "MIIBszCCAVmgAwIBAgIUTest0nly0nlyNotParsedHereAAAAAAAwCgYIKoZIzj0E\n" \
  "-----END CERTIFICATE-----\n"

/* A password that must never reach an account file. */
#define PASSWORD "S3cr3t-Pa55w0rd-never-on-disk"

static char *
accounts_dir (void)
{
  return g_build_filename (g_get_user_config_dir (), "heron", "accounts", NULL);
}

static char *
write_account_file (const char *name,
                    const char *text)
{
  g_autofree char *dir = accounts_dir ();
  char *path = g_build_filename (dir, name, NULL);
  g_autoptr(GError) error = NULL;

  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  g_file_set_contents (path, text, -1, &error);
  g_assert_no_error (error);
  return path;
}

static void
put_account_file (const char *name,
                  const char *text)
{
  g_free (write_account_file (name, text));
}

static char *
read_file (const char *path)
{
  g_autoptr(GError) error = NULL;
  char *text = NULL;

  g_file_get_contents (path, &text, NULL, &error);
  g_assert_no_error (error);
  return text;
}

/* Every file under the accounts directory, none of which may hold `needle`. */
static void
assert_no_file_contains (const char *needle)
{
  g_autofree char *dir = accounts_dir ();
  g_autoptr(GDir) handle = g_dir_open (dir, 0, NULL);
  const char *name;

  if (handle == NULL)
    return;
  while ((name = g_dir_read_name (handle)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);
      g_autofree char *text = read_file (path);

      if (strstr (text, needle) != NULL)
        g_error ("%s holds the password", path);
    }
}

static HeronAccountConfig *
new_valid_config (const char *address)
{
  HeronAccountConfig *config = heron_account_config_new ();
  g_autoptr(HeronAccountIdentity) identity = heron_account_identity_new ("Alice Example", address);
  HeronAccountServer *imap = heron_account_config_get_imap (config);
  HeronAccountServer *smtp = heron_account_config_get_smtp (config);

  heron_account_config_add_identity (config, identity);
  heron_account_server_set_host (imap, "imap.example.test");
  heron_account_server_set_user (imap, address);
  heron_account_server_set_host (smtp, "smtp.example.test");
  heron_account_server_set_user (smtp, address);
  return config;
}

static HeronAccountConfigStore *
load_store (GPtrArray **out_errors)
{
  g_autoptr(HeronAccountConfigStore) store = heron_account_config_store_new ();
  g_autoptr(GError) error = NULL;

  g_assert_true (heron_account_config_store_load (store, out_errors, &error));
  g_assert_no_error (error);
  return g_steal_pointer (&store);
}

static void
assert_servers_equal (HeronAccountServer *a,
                      HeronAccountServer *b)
{
  g_assert_cmpint (heron_account_server_get_protocol (a), ==, heron_account_server_get_protocol (b));
  g_assert_cmpstr (heron_account_server_get_host (a), ==, heron_account_server_get_host (b));
  g_assert_cmpuint (heron_account_server_get_port (a), ==, heron_account_server_get_port (b));
  g_assert_cmpint (heron_account_server_get_security (a), ==, heron_account_server_get_security (b));
  g_assert_cmpint (heron_account_server_get_auth (a), ==, heron_account_server_get_auth (b));
  g_assert_cmpstr (heron_account_server_get_user (a), ==, heron_account_server_get_user (b));
  g_assert_cmpstr (heron_account_server_get_pinned_certificate_file (a), ==,
                   heron_account_server_get_pinned_certificate_file (b));
  g_assert_cmpstr (heron_account_server_get_pinned_certificate_pem (a), ==,
                   heron_account_server_get_pinned_certificate_pem (b));
  g_assert_cmpint (heron_account_server_get_allow_plaintext_on_loopback (a), ==,
                   heron_account_server_get_allow_plaintext_on_loopback (b));
}

static void
assert_configs_equal (HeronAccountConfig *a,
                      HeronAccountConfig *b)
{
  GListModel *identities_a = heron_account_config_get_identities (a);
  GListModel *identities_b = heron_account_config_get_identities (b);

  g_assert_cmpstr (heron_account_config_get_id (a), ==, heron_account_config_get_id (b));
  g_assert_cmpstr (heron_account_config_get_display_name (a), ==, heron_account_config_get_display_name (b));
  g_assert_cmpuint (g_list_model_get_n_items (identities_a), ==, g_list_model_get_n_items (identities_b));
  for (guint i = 0; i < g_list_model_get_n_items (identities_a); i++)
    {
      g_autoptr(HeronAccountIdentity) x = g_list_model_get_item (identities_a, i);
      g_autoptr(HeronAccountIdentity) y = g_list_model_get_item (identities_b, i);

      g_assert_cmpstr (heron_account_identity_get_name (x), ==, heron_account_identity_get_name (y));
      g_assert_cmpstr (heron_account_identity_get_address (x), ==, heron_account_identity_get_address (y));
      g_assert_cmpstr (heron_account_identity_get_signature (x), ==, heron_account_identity_get_signature (y));
      g_assert_cmpstr (heron_account_identity_get_reply_to (x), ==, heron_account_identity_get_reply_to (y));
    }
  assert_servers_equal (heron_account_config_get_imap (a), heron_account_config_get_imap (b));
  assert_servers_equal (heron_account_config_get_smtp (a), heron_account_config_get_smtp (b));
  g_assert_cmpint (heron_account_config_get_folder_sync (a), ==, heron_account_config_get_folder_sync (b));
  g_assert_true (g_strv_equal (heron_account_config_get_sync_folders (a),
                               heron_account_config_get_sync_folders (b)));
  g_assert_cmpuint (heron_account_config_get_prefetch_days (a), ==, heron_account_config_get_prefetch_days (b));
  for (guint i = 0; i < HERON_ACCOUNT_N_SPECIAL_FOLDERS; i++)
    g_assert_cmpstr (heron_account_config_get_special_folder (a, i), ==,
                     heron_account_config_get_special_folder (b, i));
  g_assert_cmpstr (heron_account_config_get_goa_account_id (a), ==, heron_account_config_get_goa_account_id (b));
}

/* Every field set to a value other than its default, through the store and back. */
static void
test_round_trip (void)
{
  g_autoptr(HeronAccountConfigStore) store = load_store (NULL);
  g_autoptr(HeronAccountConfigStore) reloaded = NULL;
  g_autoptr(HeronAccountConfig) config = heron_account_config_new ();
  g_autoptr(HeronAccountIdentity) work = heron_account_identity_new ("Alice Example", "alice@example.test");
  g_autoptr(HeronAccountIdentity) lists = heron_account_identity_new ("Alice (lists)", "alice+lists@example.test");
  g_autoptr(GError) error = NULL;
  const char * const folders[] = { "INBOX", "Lists/GNOME", "Odd;name with \\ and ;", "Ünïcode", NULL };
  HeronAccountServer *imap = heron_account_config_get_imap (config);
  HeronAccountServer *smtp = heron_account_config_get_smtp (config);
  HeronAccountConfig *loaded;

  heron_account_identity_set_signature (work, "-- \nAlice Example\nExample Ltd.\n\ttabbed line");
  heron_account_identity_set_reply_to (work, "team@example.test");
  heron_account_config_add_identity (config, work);
  heron_account_config_add_identity (config, lists);
  heron_account_config_set_display_name (config, "Work = mail [main]");

  heron_account_server_set_host (imap, "127.0.0.1");
  heron_account_server_set_port (imap, 10143);
  heron_account_server_set_security (imap, HERON_ACCOUNT_SECURITY_NONE);
  heron_account_server_set_allow_plaintext_on_loopback (imap, TRUE);
  heron_account_server_set_auth (imap, HERON_ACCOUNT_AUTH_OAUTHBEARER);
  heron_account_server_set_user (imap, "alice");
  heron_account_server_set_pinned_certificate_pem (imap, FAKE_PEM);

  heron_account_server_set_host (smtp, "smtp.example.test");
  heron_account_server_set_port (smtp, 2465);
  heron_account_server_set_security (smtp, HERON_ACCOUNT_SECURITY_STARTTLS);
  heron_account_server_set_auth (smtp, HERON_ACCOUNT_AUTH_XOAUTH2);
  heron_account_server_set_user (smtp, "alice@example.test");
  heron_account_server_set_pinned_certificate_file (smtp, "/etc/ssl/certs/pinned smtp.pem");

  heron_account_config_set_folder_sync (config, HERON_ACCOUNT_FOLDER_SYNC_LIST);
  heron_account_config_set_sync_folders (config, folders);
  heron_account_config_set_prefetch_days (config, 0);
  heron_account_config_set_special_folder (config, HERON_ACCOUNT_SPECIAL_FOLDER_DRAFTS, "Drafts");
  heron_account_config_set_special_folder (config, HERON_ACCOUNT_SPECIAL_FOLDER_SENT, "Sent Items");
  heron_account_config_set_special_folder (config, HERON_ACCOUNT_SPECIAL_FOLDER_TRASH, "Deleted Items");
  heron_account_config_set_special_folder (config, HERON_ACCOUNT_SPECIAL_FOLDER_JUNK, "Spam/Auto");
  heron_account_config_set_special_folder (config, HERON_ACCOUNT_SPECIAL_FOLDER_ARCHIVE, "Archive/2026");
  heron_account_config_set_goa_account_id (config, "account_1700000000_0");

  heron_account_config_store_add (store, config, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (heron_account_config_get_id (config), ==, "alice-example-test");

  reloaded = load_store (NULL);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (reloaded)), ==, 1);
  loaded = heron_account_config_store_lookup (reloaded, "alice-example-test");
  g_assert_nonnull (loaded);
  assert_configs_equal (config, loaded);

  /* Saving what was read writes the same values again. */
  heron_account_config_store_save (reloaded, loaded, &error);
  g_assert_no_error (error);
  g_clear_object (&reloaded);
  reloaded = load_store (NULL);
  assert_configs_equal (config, heron_account_config_store_lookup (reloaded, "alice-example-test"));

  /* A deep copy compares equal too, and is independent. */
  {
    g_autoptr(HeronAccountConfig) copy = heron_account_config_copy (config);

    assert_configs_equal (config, copy);
    heron_account_server_set_host (heron_account_config_get_imap (copy), "localhost");
    g_assert_cmpstr (heron_account_server_get_host (imap), ==, "127.0.0.1");
  }
}

/* The minimal file of docs/accounts.md: defaults fill the rest. */
static void
test_defaults (void)
{
  g_autoptr(HeronAccountConfigStore) store = NULL;
  g_autoptr(GPtrArray) errors = NULL;
  g_autofree char *path = NULL;
  HeronAccountConfig *config;
  HeronAccountServer *imap;
  HeronAccountServer *smtp;

  path = write_account_file ("mini.conf",
                             "[Identity]\n"
                             "Address=bob@example.test\n"
                             "\n"
                             "[IMAP]\n"
                             "Host=imap.example.test\n"
                             "\n"
                             "[SMTP]\n"
                             "Host=smtp.example.test\n"
                             "Security=starttls\n");
  store = load_store (&errors);
  g_assert_cmpuint (errors->len, ==, 0);
  config = heron_account_config_store_lookup (store, "mini");
  g_assert_nonnull (config);

  imap = heron_account_config_get_imap (config);
  smtp = heron_account_config_get_smtp (config);
  g_assert_cmpstr (heron_account_config_get_display_name (config), ==, "bob@example.test");
  g_assert_cmpint (heron_account_server_get_security (imap), ==, HERON_ACCOUNT_SECURITY_TLS);
  g_assert_cmpuint (heron_account_server_get_port (imap), ==, 0);
  g_assert_cmpuint (heron_account_server_get_effective_port (imap), ==, 993);
  g_assert_cmpuint (heron_account_server_get_effective_port (smtp), ==, 587);
  g_assert_cmpint (heron_account_server_get_auth (imap), ==, HERON_ACCOUNT_AUTH_PASSWORD);
  g_assert_cmpstr (heron_account_server_get_user (imap), ==, "bob@example.test");
  g_assert_cmpstr (heron_account_server_get_user (smtp), ==, "bob@example.test");
  g_assert_false (heron_account_server_get_allow_plaintext_on_loopback (imap));
  g_assert_cmpint (heron_account_config_get_folder_sync (config), ==, HERON_ACCOUNT_FOLDER_SYNC_ALL);
  g_assert_cmpuint (heron_account_config_get_prefetch_days (config), ==, 30);
  g_assert_null (heron_account_config_get_sync_folders (config)[0]);
  for (guint i = 0; i < HERON_ACCOUNT_N_SPECIAL_FOLDERS; i++)
    g_assert_null (heron_account_config_get_special_folder (config, i));
  g_assert_null (heron_account_config_get_goa_account_id (config));
}

/* The file build-aux/demo-profile writes must load as it is. */
static void
test_demo_profile_file (void)
{
  g_autoptr(HeronAccountConfigStore) store = NULL;
  g_autoptr(GPtrArray) errors = NULL;
  g_autofree char *path = NULL;
  HeronAccountConfig *config;
  HeronAccountServer *imap;

  path = write_account_file ("demo.conf",
                             "[Account]\n"
                             "DisplayName=Demo (local)\n"
                             "\n"
                             "[Identity]\n"
                             "Name=Alice Demo\n"
                             "Address=alice@example.test\n"
                             "\n"
                             "[IMAP]\n"
                             "Host=127.0.0.1\n"
                             "Port=39143\n"
                             "Security=starttls\n"
                             "User=alice@example.test\n"
                             "Authentication=password\n"
                             "PinnedCertificateFile=/tmp/heron-test-server.x/tls/cert.pem\n"
                             "\n"
                             "[SMTP]\n"
                             "Host=127.0.0.1\n"
                             "Port=39587\n"
                             "Security=starttls\n"
                             "User=alice@example.test\n"
                             "Authentication=password\n"
                             "PinnedCertificateFile=/tmp/heron-test-server.x/tls/cert.pem\n");
  store = load_store (&errors);
  g_assert_cmpuint (errors->len, ==, 0);
  config = heron_account_config_store_lookup (store, "demo");
  g_assert_nonnull (config);
  imap = heron_account_config_get_imap (config);
  g_assert_cmpstr (heron_account_config_get_display_name (config), ==, "Demo (local)");
  g_assert_cmpstr (heron_account_server_get_host (imap), ==, "127.0.0.1");
  g_assert_cmpuint (heron_account_server_get_effective_port (imap), ==, 39143);
  g_assert_cmpint (heron_account_server_get_security (imap), ==, HERON_ACCOUNT_SECURITY_STARTTLS);
  g_assert_cmpstr (heron_account_server_get_pinned_certificate_file (imap), ==,
                   "/tmp/heron-test-server.x/tls/cert.pem");
}

static void
assert_mode_0600 (const char *path)
{
  GStatBuf info;

  g_assert_cmpint (g_stat (path, &info), ==, 0);
  g_assert_cmpint (info.st_mode & 0777, ==, 0600);
}

/* The file is replaced whole (a new inode: written aside and renamed), is private to the user,
 * and no temporary file is left behind. */
static void
test_atomic_write (void)
{
  g_autoptr(HeronAccountConfigStore) store = load_store (NULL);
  g_autoptr(HeronAccountConfig) config = new_valid_config ("carol@example.test");
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  g_autofree char *dir = accounts_dir ();
  g_autoptr(GDir) handle = NULL;
  GStatBuf before, after;
  const char *name;
  guint n_files = 0;

  heron_account_config_store_add (store, config, &error);
  g_assert_no_error (error);
  path = heron_account_config_store_dup_path (store, heron_account_config_get_id (config));
  g_assert_true (g_str_has_suffix (path, "/heron/accounts/carol-example-test.conf"));
  g_assert_true (g_str_has_prefix (path, g_get_user_config_dir ()));
  assert_mode_0600 (path);

  /* Even a file someone made world-readable becomes private again on the next save. */
  g_assert_cmpint (g_chmod (path, 0644), ==, 0);
  g_assert_cmpint (g_stat (path, &before), ==, 0);
  heron_account_config_set_display_name (config, "Carol");
  heron_account_config_store_save (store, config, &error);
  g_assert_no_error (error);
  g_assert_cmpint (g_stat (path, &after), ==, 0);
  assert_mode_0600 (path);
  g_assert_cmpuint (before.st_ino, !=, after.st_ino);

  handle = g_dir_open (dir, 0, &error);
  g_assert_no_error (error);
  while ((name = g_dir_read_name (handle)) != NULL)
    {
      g_assert_cmpstr (name, ==, "carol-example-test.conf");
      n_files++;
    }
  g_assert_cmpuint (n_files, ==, 1);

  /* The directory is private too. */
  {
    GStatBuf dir_info;

    g_assert_cmpint (g_stat (dir, &dir_info), ==, 0);
    g_assert_cmpint (dir_info.st_mode & 0077, ==, 0);
  }
}

static const char good_account[] =
  "[Account]\n"
  "DisplayName=Good\n"
  "\n"
  "[Identity]\n"
  "Address=good@example.test\n"
  "\n"
  "[IMAP]\n"
  "Host=imap.example.test\n"
  "\n"
  "[SMTP]\n"
  "Host=smtp.example.test\n";

static GError *
find_error_about (GPtrArray  *errors,
                  const char *file_name)
{
  for (guint i = 0; i < errors->len; i++)
    {
      GError *error = g_ptr_array_index (errors, i);

      if (strstr (error->message, file_name) != NULL)
        return error;
    }
  g_error ("no error names %s", file_name);
  return NULL;
}

/* Broken files cost only their own account, and each error names the file and the line. */
static void
test_corrupt_files (void)
{
  g_autoptr(HeronAccountConfigStore) store = NULL;
  g_autoptr(GPtrArray) errors = NULL;
  g_autofree char *syntax = NULL;
  g_autofree char *port = NULL;
  g_autofree char *security = NULL;
  g_autofree char *host = NULL;
  g_autofree char *escape = NULL;
  g_autofree char *no_smtp = NULL;
  g_autofree char *expected = NULL;
  GError *error;

  put_account_file ("good1.conf", good_account);
  put_account_file ("good2.conf", good_account);
  syntax = write_account_file ("syntax.conf",
                               "[Account]\n"                   /* 1 */
                               "DisplayName=Broken\n"          /* 2 */
                               "# a comment is fine\n"         /* 3 */
                               "\n"                            /* 4 */
                               "this line is garbage\n"        /* 5 */
                               "[Identity]\n");
  port = write_account_file ("work.conf",
                             "[Account]\n"                     /* 1 */
                             "DisplayName=Work\n"              /* 2 */
                             "\n"                              /* 3 */
                             "[Identity]\n"                    /* 4 */
                             "Name=Alice\n"                    /* 5 */
                             "Address=alice@example.test\n"    /* 6 */
                             "\n"                              /* 7 */
                             "[IMAP]\n"                        /* 8 */
                             "Host=imap.example.test\n"        /* 9 */
                             "Security=tls\n"                  /* 10 */
                             "User=alice\n"                    /* 11 */
                             "Port=abc\n"                      /* 12 */
                             "\n"
                             "[SMTP]\n"
                             "Host=smtp.example.test\n");
  security = write_account_file ("security.conf",
                                 "[Identity]\n"                /* 1 */
                                 "Address=a@example.test\n"    /* 2 */
                                 "[IMAP]\n"                    /* 3 */
                                 "Host=imap.example.test\n"    /* 4 */
                                 "[SMTP]\n"                    /* 5 */
                                 "Host=smtp.example.test\n"    /* 6 */
                                 "  Security = ssl\n");        /* 7 */
  host = write_account_file ("nohost.conf",
                             "[Identity]\n"                    /* 1 */
                             "Address=a@example.test\n"        /* 2 */
                             "\n"                              /* 3 */
                             "[IMAP]\n"                        /* 4 */
                             "Port=993\n"                      /* 5 */
                             "[SMTP]\n"
                             "Host=smtp.example.test\n");
  escape = write_account_file ("escape.conf",
                               "[Identity]\n"                  /* 1 */
                               "Address=a@example.test\n"      /* 2 */
                               "Signature=bad \\q escape\n"    /* 3 */
                               "[IMAP]\n"
                               "Host=imap.example.test\n"
                               "[SMTP]\n"
                               "Host=smtp.example.test\n");
  no_smtp = write_account_file ("nosmtp.conf",
                                "[Identity]\n"
                                "Address=a@example.test\n"
                                "[IMAP]\n"
                                "Host=imap.example.test\n");

  store = load_store (&errors);

  /* The good ones load. */
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (store)), ==, 2);
  g_assert_nonnull (heron_account_config_store_lookup (store, "good1"));
  g_assert_nonnull (heron_account_config_store_lookup (store, "good2"));
  g_assert_cmpuint (errors->len, ==, 6);

  error = find_error_about (errors, "syntax.conf");
  g_assert_error (error, HERON_ACCOUNT_ERROR, HERON_ACCOUNT_ERROR_SYNTAX);
  expected = g_strdup_printf ("%s line 5: ", syntax);
  g_assert_true (g_str_has_prefix (error->message, expected));
  g_clear_pointer (&expected, g_free);

  error = find_error_about (errors, "work.conf");
  g_assert_error (error, HERON_ACCOUNT_ERROR, HERON_ACCOUNT_ERROR_INVALID);
  expected = g_strdup_printf ("%s line 12: Port must be a number from 1 to 65535, not “abc”", port);
  g_assert_cmpstr (error->message, ==, expected);
  g_assert_true (strstr (error->message, "accounts/work.conf line 12: ") != NULL);
  g_clear_pointer (&expected, g_free);

  error = find_error_about (errors, "security.conf");
  g_assert_error (error, HERON_ACCOUNT_ERROR, HERON_ACCOUNT_ERROR_INVALID);
  expected = g_strdup_printf ("%s line 7: Security must be tls, starttls or none, not “ssl”", security);
  g_assert_cmpstr (error->message, ==, expected);
  g_clear_pointer (&expected, g_free);

  /* A missing key is reported at its group's line. */
  error = find_error_about (errors, "nohost.conf");
  g_assert_error (error, HERON_ACCOUNT_ERROR, HERON_ACCOUNT_ERROR_INVALID);
  expected = g_strdup_printf ("%s line 4: [IMAP] has no Host", host);
  g_assert_cmpstr (error->message, ==, expected);
  g_clear_pointer (&expected, g_free);

  error = find_error_about (errors, "escape.conf");
  g_assert_error (error, HERON_ACCOUNT_ERROR, HERON_ACCOUNT_ERROR_SYNTAX);
  expected = g_strdup_printf ("%s line 3: ", escape);
  g_assert_true (g_str_has_prefix (error->message, expected));
  g_clear_pointer (&expected, g_free);

  /* A missing group has no line; the file is still named. */
  error = find_error_about (errors, "nosmtp.conf");
  g_assert_error (error, HERON_ACCOUNT_ERROR, HERON_ACCOUNT_ERROR_INVALID);
  expected = g_strdup_printf ("%s: the [SMTP] group is missing", no_smtp);
  g_assert_cmpstr (error->message, ==, expected);
}

/* More ways a hand edit goes wrong, each with its line. */
static void
test_bad_values (void)
{
  static const struct {
    const char *text;
    guint line;
    const char *message;
  } cases[] = {
    { "[Identity]\nAddress=not-an-address\n[IMAP]\nHost=i.example.test\n[SMTP]\nHost=s.example.test\n",
      2, "“not-an-address” is not an e-mail address" },
    { "[Identity]\nAddress=a@example.test\n[IMAP]\nHost=i.example.test\nPort=0\n[SMTP]\nHost=s.example.test\n",
      5, "Port must be a number from 1 to 65535, not “0”" },
    { "[Identity]\nAddress=a@example.test\n[IMAP]\nHost=i.example.test\nPort=70000\n[SMTP]\nHost=s.example.test\n",
      5, "Port must be a number from 1 to 65535, not “70000”" },
    { "[Identity]\nAddress=a@example.test\n[IMAP]\nHost=i.example.test\nAuthentication=kerberos\n[SMTP]\nHost=s.example.test\n",
      5, "Authentication must be password, xoauth2 or oauthbearer, not “kerberos”" },
    { "[Identity]\nAddress=a@example.test\n[IMAP]\nHost=bad host name\n[SMTP]\nHost=s.example.test\n",
      4, "“bad host name” is not a host name or IP address" },
    { "[Identity]\nAddress=a@example.test\n[IMAP]\nHost=i.example.test\nAllowPlaintextOnLoopback=yes\n[SMTP]\nHost=s.example.test\n",
      5, "AllowPlaintextOnLoopback must be true or false, not “yes”" },
    { "[Identity]\nAddress=a@example.test\n[IMAP]\nHost=i.example.test\nPinnedCertificateFile=cert.pem\n[SMTP]\nHost=s.example.test\n",
      5, "The pinned certificate file must be an absolute path, not “cert.pem”" },
    { "[Identity]\nAddress=a@example.test\n[IMAP]\nHost=i.example.test\n[SMTP]\nHost=s.example.test\n[Sync]\nFolders=some\n",
      8, "Folders must be all, subscribed or list, not “some”" },
    { "[Identity]\nAddress=a@example.test\n[IMAP]\nHost=i.example.test\n[SMTP]\nHost=s.example.test\n[Sync]\nPrefetchDays=-1\n",
      8, "PrefetchDays must be a number from 0 to 36500, not “-1”" },
    { "Host=i.example.test\n[Identity]\n", 1, "the key is outside any [Group]; the file must start with one" },
    { "[Identity\nAddress=a@example.test\n", 1, "a group must be written as [Name], with no brackets inside" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *name = g_strdup_printf ("case%u.conf", i);
      g_autofree char *path = write_account_file (name, cases[i].text);
      g_autoptr(HeronAccountConfigStore) store = NULL;
      g_autoptr(GPtrArray) errors = NULL;
      g_autofree char *expected = g_strdup_printf ("%s line %u: %s", path, cases[i].line, cases[i].message);

      store = load_store (&errors);
      g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (store)), ==, 0);
      g_assert_cmpuint (errors->len, ==, 1);
      g_assert_cmpstr (((GError *) g_ptr_array_index (errors, 0))->message, ==, expected);
      g_assert_cmpint (g_unlink (path), ==, 0);
    }
}

/* No operation of the store ever writes a password, even one a person typed into the file. */
static void
test_no_password_in_files (void)
{
  g_autoptr(HeronAccountConfigStore) store = NULL;
  g_autoptr(HeronAccountConfig) added = new_valid_config ("dave@example.test");
  g_autoptr(GPtrArray) errors = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  g_autofree char *text = NULL;
  HeronAccountConfig *edited;

  path = write_account_file ("typed.conf",
                             "[Identity]\n"
                             "Address=erin@example.test\n"
                             "[IMAP]\n"
                             "Host=imap.example.test\n"
                             "Password=" PASSWORD "\n"
                             "[SMTP]\n"
                             "Host=smtp.example.test\n"
                             "password = " PASSWORD "\n"
                             "AccessToken=" PASSWORD "\n");

  store = load_store (&errors);
  g_assert_cmpuint (errors->len, ==, 0);
  edited = heron_account_config_store_lookup (store, "typed");
  g_assert_nonnull (edited);

  /* Saving drops what looks like a secret, whatever group it is in. */
  heron_account_config_store_save (store, edited, &error);
  g_assert_no_error (error);
  assert_no_file_contains (PASSWORD);
  text = read_file (path);
  g_assert_null (strstr (text, "Password="));
  g_assert_null (strstr (text, "password ="));
  g_assert_null (strstr (text, "AccessToken"));
  g_assert_nonnull (strstr (text, "Authentication=password\n"));

  heron_account_config_store_add (store, added, &error);
  g_assert_no_error (error);
  assert_no_file_contains (PASSWORD);

  heron_account_server_set_user (heron_account_config_get_imap (added), "dave");
  heron_account_config_store_save (store, added, &error);
  g_assert_no_error (error);
  assert_no_file_contains (PASSWORD);
}

/* Plain text is for loopback only, and only when the account says so. */
static void
test_plaintext_rules (void)
{
  g_autoptr(HeronAccountConfigStore) store = load_store (NULL);
  g_autoptr(HeronAccountConfig) config = new_valid_config ("frank@example.test");
  g_autoptr(GError) error = NULL;
  HeronAccountServer *imap = heron_account_config_get_imap (config);
  g_autofree char *dir = accounts_dir ();

  heron_account_server_set_security (imap, HERON_ACCOUNT_SECURITY_NONE);
  heron_account_server_set_allow_plaintext_on_loopback (imap, TRUE);

  /* A remote host: refused, and the message says why. */
  g_assert_false (heron_account_config_validate (config, &error));
  g_assert_error (error, HERON_ACCOUNT_ERROR, HERON_ACCOUNT_ERROR_INSECURE);
  g_assert_true (g_str_has_prefix (error->message, "IMAP server: "));
  g_assert_nonnull (strstr (error->message, "imap.example.test"));
  g_assert_nonnull (strstr (error->message, "unencrypted"));
  g_assert_nonnull (strstr (error->message, "127.0.0.0/8"));
  g_clear_error (&error);

  g_assert_false (heron_account_config_store_add (store, config, &error));
  g_assert_error (error, HERON_ACCOUNT_ERROR, HERON_ACCOUNT_ERROR_INSECURE);
  g_clear_error (&error);
  g_assert_null (heron_account_config_get_id (config));
  g_assert_false (g_file_test (dir, G_FILE_TEST_EXISTS));

  /* Every loopback form is accepted... */
  {
    const char * const loopback[] = { "127.0.0.1", "127.1.2.3", "::1", "localhost", "LOCALHOST", NULL };

    for (guint i = 0; loopback[i] != NULL; i++)
      {
        heron_account_server_set_host (imap, loopback[i]);
        g_assert_true (heron_account_config_validate (config, &error));
        g_assert_no_error (error);
      }
  }
  /* ...and names that merely look local are not. */
  {
    const char * const remote[] = { "localhost.example.test", "128.0.0.1", "::2", "10.0.0.1",
                                    "::ffff:127.0.0.1", "localhostx", NULL };

    for (guint i = 0; remote[i] != NULL; i++)
      {
        heron_account_server_set_host (imap, remote[i]);
        g_assert_false (heron_account_config_validate (config, &error));
        g_assert_error (error, HERON_ACCOUNT_ERROR, HERON_ACCOUNT_ERROR_INSECURE);
        g_clear_error (&error);
      }
  }

  /* Loopback without the account's consent: refused too. */
  heron_account_server_set_host (imap, "127.0.0.1");
  heron_account_server_set_allow_plaintext_on_loopback (imap, FALSE);
  g_assert_false (heron_account_config_validate (config, &error));
  g_assert_error (error, HERON_ACCOUNT_ERROR, HERON_ACCOUNT_ERROR_INSECURE);
  g_assert_nonnull (strstr (error->message, "AllowPlaintextOnLoopback=true"));
  g_clear_error (&error);

  /* The same rules for a file, at the line of Security. */
  {
    g_autofree char *path = write_account_file ("plain.conf",
                                                "[Identity]\n"                 /* 1 */
                                                "Address=g@example.test\n"     /* 2 */
                                                "[IMAP]\n"                     /* 3 */
                                                "Host=mail.example.test\n"     /* 4 */
                                                "Security=none\n"              /* 5 */
                                                "AllowPlaintextOnLoopback=true\n"
                                                "[SMTP]\n"
                                                "Host=127.0.0.1\n"
                                                "Security=none\n"
                                                "AllowPlaintextOnLoopback=true\n");
    g_autoptr(HeronAccountConfigStore) reloaded = NULL;
    g_autoptr(GPtrArray) errors = NULL;
    g_autofree char *expected = g_strdup_printf ("%s line 5: Security “none”", path);
    GError *file_error;

    reloaded = load_store (&errors);
    g_assert_cmpuint (errors->len, ==, 1);
    file_error = g_ptr_array_index (errors, 0);
    g_assert_error (file_error, HERON_ACCOUNT_ERROR, HERON_ACCOUNT_ERROR_INSECURE);
    g_assert_true (g_str_has_prefix (file_error->message, expected));
    g_assert_nonnull (strstr (file_error->message, "mail.example.test"));
  }
}

/* Ids come from the address and never collide: not with an account, nor with a file that failed
 * to load, nor with a cache directory left behind. */
static void
test_unique_ids (void)
{
  g_autoptr(HeronAccountConfigStore) store = NULL;
  g_autoptr(HeronAccountConfig) first = new_valid_config ("Alice.Smith@Example.TEST");
  g_autoptr(HeronAccountConfig) second = new_valid_config ("alice.smith@example.test");
  g_autoptr(HeronAccountConfig) third = new_valid_config ("bob@example.test");
  g_autoptr(HeronAccountConfig) fourth = new_valid_config ("old@example.test");
  g_autoptr(HeronAccountConfig) fifth = new_valid_config ("Zoë@例え.test");
  g_autoptr(GPtrArray) errors = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *broken = write_account_file ("bob-example-test.conf", "not a key file\n");
  g_autofree char *stale_cache = g_build_filename (g_get_user_data_dir (), "heron", "old-example-test", NULL);

  g_assert_cmpint (g_mkdir_with_parents (stale_cache, 0700), ==, 0);
  store = load_store (&errors);
  g_assert_cmpuint (errors->len, ==, 1);

  heron_account_config_store_add (store, first, &error);
  g_assert_no_error (error);
  heron_account_config_store_add (store, second, &error);
  g_assert_no_error (error);
  heron_account_config_store_add (store, third, &error);
  g_assert_no_error (error);
  heron_account_config_store_add (store, fourth, &error);
  g_assert_no_error (error);
  heron_account_config_store_add (store, fifth, &error);
  g_assert_no_error (error);

  g_assert_cmpstr (heron_account_config_get_id (first), ==, "alice-smith-example-test");
  g_assert_cmpstr (heron_account_config_get_id (second), ==, "alice-smith-example-test-2");
  g_assert_cmpstr (heron_account_config_get_id (third), ==, "bob-example-test-2");
  g_assert_cmpstr (heron_account_config_get_id (fourth), ==, "old-example-test-2");
  g_assert_true (heron_account_id_is_valid (heron_account_config_get_id (fifth)));

  /* The broken file is untouched. */
  {
    g_autofree char *text = read_file (broken);

    g_assert_cmpstr (text, ==, "not a key file\n");
  }

  /* The store is a list model sorted by id. */
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (store)), ==, 5);
  for (guint i = 1; i < 5; i++)
    {
      g_autoptr(HeronAccountConfig) a = g_list_model_get_item (G_LIST_MODEL (store), i - 1);
      g_autoptr(HeronAccountConfig) b = g_list_model_get_item (G_LIST_MODEL (store), i);

      g_assert_cmpint (strcmp (heron_account_config_get_id (a), heron_account_config_get_id (b)), <, 0);
    }

  /* A reload finds all five again under the same ids. */
  {
    g_autoptr(HeronAccountConfigStore) reloaded = load_store (NULL);

    g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (reloaded)), ==, 5);
    g_assert_nonnull (heron_account_config_store_lookup (reloaded, "alice-smith-example-test-2"));
  }
}

/* A hand-edited file keeps its comments and the keys this version does not know. */
static void
test_keeps_comments (void)
{
  g_autoptr(HeronAccountConfigStore) store = NULL;
  g_autoptr(GPtrArray) errors = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  g_autofree char *text = NULL;
  HeronAccountConfig *config;

  path = write_account_file ("kept.conf",
                             "# My work account, set up by hand\n"
                             "[Account]\n"
                             "DisplayName=Kept\n"
                             "FutureFeature=on\n"
                             "\n"
                             "[Identity]\n"
                             "# the main address\n"
                             "Address=kept@example.test\n"
                             "\n"
                             "[IMAP]\n"
                             "Host=imap.example.test\n"
                             "\n"
                             "[SMTP]\n"
                             "Host=smtp.example.test\n"
                             "\n"
                             "[Future]\n"
                             "Something=else\n");
  store = load_store (&errors);
  g_assert_cmpuint (errors->len, ==, 0);
  config = heron_account_config_store_lookup (store, "kept");
  heron_account_config_set_display_name (config, "Kept and edited");
  heron_account_config_store_save (store, config, &error);
  g_assert_no_error (error);

  text = read_file (path);
  g_assert_nonnull (strstr (text, "# My work account, set up by hand"));
  g_assert_nonnull (strstr (text, "# the main address"));
  g_assert_nonnull (strstr (text, "FutureFeature=on"));
  g_assert_nonnull (strstr (text, "[Future]\nSomething=else"));
  g_assert_nonnull (strstr (text, "DisplayName=Kept and edited"));
}

typedef struct {
  guint added;
  guint updated;
  GThread *thread;
} ChangedCounts;

static void
changed_cb (HeronAccountConfigStore *store,
            HeronAccountConfig      *config,
            HeronAccountChange       change,
            ChangedCounts           *counts)
{
  g_assert_true (HERON_IS_ACCOUNT_CONFIG (config));
  g_assert_true (g_thread_self () == counts->thread);
  if (change == HERON_ACCOUNT_CHANGE_ADDED)
    counts->added++;
  else if (change == HERON_ACCOUNT_CHANGE_UPDATED)
    counts->updated++;
  else
    g_assert_not_reached ();
}

static void
items_changed_cb (GListModel *model,
                  guint       position,
                  guint       removed,
                  guint       added,
                  guint      *count)
{
  (*count)++;
}

/* "changed" on add and save, on the store's thread; an edited copy replaces the stored account. */
static void
test_changed_and_copies (void)
{
  g_autoptr(HeronAccountConfigStore) store = load_store (NULL);
  g_autoptr(HeronAccountConfig) config = new_valid_config ("henry@example.test");
  g_autoptr(HeronAccountConfig) copy = NULL;
  g_autoptr(GError) error = NULL;
  ChangedCounts counts = { 0, 0, g_thread_self () };
  guint items_changed = 0;

  g_signal_connect (store, "changed", G_CALLBACK (changed_cb), &counts);
  g_signal_connect (store, "items-changed", G_CALLBACK (items_changed_cb), &items_changed);

  heron_account_config_store_add (store, config, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (counts.added, ==, 1);

  copy = heron_account_config_copy (config);
  g_assert_cmpstr (heron_account_config_get_id (copy), ==, "henry-example-test");
  heron_account_config_set_display_name (copy, "Henry");
  heron_account_config_store_save (store, copy, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (counts.updated, ==, 1);
  g_assert_true (heron_account_config_store_lookup (store, "henry-example-test") == copy);
  g_assert_cmpuint (items_changed, ==, 2); /* added, then replaced by the copy */

  /* An invalid edit is not written. */
  heron_account_server_set_host (heron_account_config_get_smtp (copy), NULL);
  g_assert_false (heron_account_config_store_save (store, copy, &error));
  g_assert_error (error, HERON_ACCOUNT_ERROR, HERON_ACCOUNT_ERROR_INVALID);
  g_assert_cmpstr (error->message, ==, "SMTP server: The host name is missing");
  g_clear_error (&error);
  g_assert_cmpuint (counts.updated, ==, 1);
  {
    g_autoptr(HeronAccountConfigStore) reloaded = load_store (NULL);
    HeronAccountConfig *on_disk = heron_account_config_store_lookup (reloaded, "henry-example-test");

    g_assert_cmpstr (heron_account_server_get_host (heron_account_config_get_smtp (on_disk)), ==,
                     "smtp.example.test");
    g_assert_cmpstr (heron_account_config_get_display_name (on_disk), ==, "Henry");
  }

  /* A config the store does not know cannot be saved. */
  {
    g_autoptr(HeronAccountConfig) stranger = new_valid_config ("x@example.test");

    g_assert_false (heron_account_config_store_save (store, stranger, &error));
    g_assert_error (error, HERON_ACCOUNT_ERROR, HERON_ACCOUNT_ERROR_NOT_FOUND);
    g_clear_error (&error);
  }
}

/* Only "<id>.conf" is an account: other names are reported or ignored. */
static void
test_file_names (void)
{
  g_autoptr(HeronAccountConfigStore) store = NULL;
  g_autoptr(GPtrArray) errors = NULL;

  put_account_file ("ok_1.conf", good_account);
  put_account_file ("with space.conf", good_account);
  put_account_file ("ok_1.conf~", "backup");
  put_account_file (".hidden.conf", "hidden");
  put_account_file ("ok_1.conf.X1Y2Z3", "temporary file of a write");
  put_account_file ("notes.txt", "notes");

  store = load_store (&errors);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (store)), ==, 1);
  g_assert_nonnull (heron_account_config_store_lookup (store, "ok_1"));
  g_assert_cmpuint (errors->len, ==, 1);
  g_assert_nonnull (strstr (((GError *) g_ptr_array_index (errors, 0))->message, "with space.conf"));
}

static void
test_host_rules (void)
{
  g_assert_true (heron_account_host_is_valid ("imap.example.test"));
  g_assert_true (heron_account_host_is_valid ("127.0.0.1"));
  g_assert_true (heron_account_host_is_valid ("::1"));
  g_assert_true (heron_account_host_is_valid ("mail.例え.test"));
  g_assert_false (heron_account_host_is_valid (""));
  g_assert_false (heron_account_host_is_valid ("imap.example.test:993"));
  g_assert_false (heron_account_host_is_valid ("[::1]"));
  g_assert_false (heron_account_host_is_valid ("a..b"));
  g_assert_false (heron_account_host_is_valid ("-a.b"));
  g_assert_false (heron_account_host_is_valid ("a/b"));

  g_assert_true (heron_account_address_is_valid ("a@b.c"));
  g_assert_false (heron_account_address_is_valid ("a@"));
  g_assert_false (heron_account_address_is_valid ("@b"));
  g_assert_false (heron_account_address_is_valid ("a b@c.d"));
  g_assert_false (heron_account_address_is_valid ("<a@b.c>"));
  g_assert_false (heron_account_address_is_valid ("a@b@c"));

  g_assert_cmpuint (heron_account_server_get_default_port (HERON_ACCOUNT_PROTOCOL_IMAP,
                                                           HERON_ACCOUNT_SECURITY_TLS), ==, 993);
  g_assert_cmpuint (heron_account_server_get_default_port (HERON_ACCOUNT_PROTOCOL_IMAP,
                                                           HERON_ACCOUNT_SECURITY_STARTTLS), ==, 143);
  g_assert_cmpuint (heron_account_server_get_default_port (HERON_ACCOUNT_PROTOCOL_SMTP,
                                                           HERON_ACCOUNT_SECURITY_TLS), ==, 465);
  g_assert_cmpuint (heron_account_server_get_default_port (HERON_ACCOUNT_PROTOCOL_SMTP,
                                                           HERON_ACCOUNT_SECURITY_STARTTLS), ==, 587);

  g_assert_cmpstr (heron_account_enum_to_string (HERON_TYPE_ACCOUNT_SECURITY,
                                                 HERON_ACCOUNT_SECURITY_STARTTLS), ==, "starttls");
  {
    int value = -1;

    g_assert_true (heron_account_enum_from_string (HERON_TYPE_ACCOUNT_AUTH, "XOAuth2", &value));
    g_assert_cmpint (value, ==, HERON_ACCOUNT_AUTH_XOAUTH2);
    g_assert_false (heron_account_enum_from_string (HERON_TYPE_ACCOUNT_AUTH, "ntlm", &value));
  }
}

static void
test_validate_messages (void)
{
  g_autoptr(HeronAccountConfig) config = heron_account_config_new ();
  g_autoptr(HeronAccountIdentity) identity = heron_account_identity_new (NULL, "bad address");
  g_autoptr(GError) error = NULL;

  g_assert_false (heron_account_config_validate (config, &error));
  g_assert_error (error, HERON_ACCOUNT_ERROR, HERON_ACCOUNT_ERROR_INVALID);
  g_assert_nonnull (strstr (error->message, "no identity"));
  g_clear_error (&error);

  heron_account_config_add_identity (config, identity);
  g_assert_false (heron_account_config_validate (config, &error));
  g_assert_cmpstr (error->message, ==, "Identity 1: “bad address” is not an e-mail address");
  g_clear_error (&error);

  heron_account_identity_set_address (identity, "ok@example.test");
  heron_account_identity_set_reply_to (identity, "nope");
  g_assert_false (heron_account_config_validate (config, &error));
  g_assert_cmpstr (error->message, ==, "Identity 1: the Reply-To “nope” is not an e-mail address");
  g_clear_error (&error);

  heron_account_identity_set_reply_to (identity, NULL);
  g_assert_false (heron_account_config_validate (config, &error));
  g_assert_cmpstr (error->message, ==, "IMAP server: The host name is missing");
  g_clear_error (&error);

  heron_account_server_set_host (heron_account_config_get_imap (config), "imap.example.test");
  g_assert_false (heron_account_config_validate (config, &error));
  g_assert_cmpstr (error->message, ==, "IMAP server: The user name is missing");
  g_clear_error (&error);

  heron_account_server_set_user (heron_account_config_get_imap (config), "ok");
  heron_account_server_set_pinned_certificate_pem (heron_account_config_get_imap (config), "garbage");
  g_assert_false (heron_account_config_validate (config, &error));
  g_assert_nonnull (strstr (error->message, "not a PEM certificate"));
  g_clear_error (&error);

  heron_account_server_set_pinned_certificate_file (heron_account_config_get_imap (config), "/a.pem");
  heron_account_server_set_pinned_certificate_pem (heron_account_config_get_imap (config), FAKE_PEM);
  g_assert_false (heron_account_config_validate (config, &error));
  g_assert_nonnull (strstr (error->message, "not both"));
  g_clear_error (&error);
}

static void
count_notify (guint *count)
{
  (*count)++;
}

/* A pinned certificate belongs to host, port and security: the setters drop it when one of them
 * changes, whichever way it was pinned, and keep it when nothing that names the server changed. */
static void
test_pin_follows_server (void)
{
  g_autoptr(HeronAccountServer) server = heron_account_server_new (HERON_ACCOUNT_PROTOCOL_IMAP);
  g_autoptr(HeronAccountServer) copy = NULL;
  g_autoptr(HeronAccountConfig) config = heron_account_config_new ();
  g_autoptr(HeronAccountConfig) config_copy = NULL;
  guint notified = 0;

#define PIN_BOTH(s) G_STMT_START { \
    heron_account_server_set_pinned_certificate_pem ((s), FAKE_PEM); \
    heron_account_server_set_pinned_certificate_file ((s), "/etc/ssl/pinned.pem"); \
  } G_STMT_END
#define ASSERT_PINNED(s) G_STMT_START { \
    g_assert_cmpstr (heron_account_server_get_pinned_certificate_pem (s), ==, FAKE_PEM); \
    g_assert_cmpstr (heron_account_server_get_pinned_certificate_file (s), ==, "/etc/ssl/pinned.pem"); \
  } G_STMT_END
#define ASSERT_UNPINNED(s) G_STMT_START { \
    g_assert_null (heron_account_server_get_pinned_certificate_pem (s)); \
    g_assert_null (heron_account_server_get_pinned_certificate_file (s)); \
  } G_STMT_END

  heron_account_server_set_host (server, "imap.example.test");
  heron_account_server_set_security (server, HERON_ACCOUNT_SECURITY_TLS);
  PIN_BOTH (server);

  /* Nothing that names the server changed: the same host (in another case), port 0 and the
   * standard port it stands for, the user, the authentication. */
  heron_account_server_set_host (server, "imap.example.test");
  heron_account_server_set_host (server, "IMAP.Example.Test");
  heron_account_server_set_port (server, 993);
  heron_account_server_set_port (server, 0);
  heron_account_server_set_security (server, HERON_ACCOUNT_SECURITY_TLS);
  heron_account_server_set_user (server, "someone");
  heron_account_server_set_auth (server, HERON_ACCOUNT_AUTH_OAUTHBEARER);
  ASSERT_PINNED (server);

  /* Another host */
  heron_account_server_set_host (server, "imap2.example.test");
  ASSERT_UNPINNED (server);

  /* Another port */
  PIN_BOTH (server);
  heron_account_server_set_port (server, 10993);
  ASSERT_UNPINNED (server);

  /* From an explicit port back to the standard one is another port too */
  PIN_BOTH (server);
  heron_account_server_set_port (server, 0);
  ASSERT_UNPINNED (server);

  /* Another security, the port left at 0 (the standard port changes with it) */
  PIN_BOTH (server);
  heron_account_server_set_security (server, HERON_ACCOUNT_SECURITY_STARTTLS);
  ASSERT_UNPINNED (server);

  /* Another security on a fixed port: still another server for the pin */
  heron_account_server_set_port (server, 10143);
  PIN_BOTH (server);
  heron_account_server_set_security (server, HERON_ACCOUNT_SECURITY_TLS);
  ASSERT_UNPINNED (server);

  /* A removed host drops it too */
  PIN_BOTH (server);
  heron_account_server_set_host (server, NULL);
  ASSERT_UNPINNED (server);

  /* The drop is notified */
  heron_account_server_set_host (server, "imap.example.test");
  PIN_BOTH (server);
  g_signal_connect_swapped (server, "notify::pinned-certificate-pem", G_CALLBACK (count_notify), &notified);
  heron_account_server_set_port (server, 1993);
  g_assert_cmpuint (notified, ==, 1);

  /* A copy keeps the pin (it is set after host, port and security) */
  PIN_BOTH (server);
  copy = heron_account_server_copy (server);
  ASSERT_PINNED (copy);
  heron_account_server_set_host (heron_account_config_get_imap (config), "other.example.test");
  heron_account_server_set_port (heron_account_config_get_imap (config), 143);
  PIN_BOTH (heron_account_config_get_imap (config));
  config_copy = heron_account_config_copy (config);
  ASSERT_PINNED (heron_account_config_get_imap (config_copy));

#undef PIN_BOTH
#undef ASSERT_PINNED
#undef ASSERT_UNPINNED
}

/* Each test starts from empty directories. */
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
  int status;

  test_account_dirs_init ();
  g_test_init (&argc, &argv, NULL);

  g_test_add_data_func ("/heron/account/config/round-trip", test_round_trip, run_isolated);
  g_test_add_data_func ("/heron/account/config/defaults", test_defaults, run_isolated);
  g_test_add_data_func ("/heron/account/config/demo-profile-file", test_demo_profile_file, run_isolated);
  g_test_add_data_func ("/heron/account/config/atomic-write", test_atomic_write, run_isolated);
  g_test_add_data_func ("/heron/account/config/corrupt-files", test_corrupt_files, run_isolated);
  g_test_add_data_func ("/heron/account/config/bad-values", test_bad_values, run_isolated);
  g_test_add_data_func ("/heron/account/config/no-password-in-files", test_no_password_in_files, run_isolated);
  g_test_add_data_func ("/heron/account/config/plaintext-rules", test_plaintext_rules, run_isolated);
  g_test_add_data_func ("/heron/account/config/unique-ids", test_unique_ids, run_isolated);
  g_test_add_data_func ("/heron/account/config/keeps-comments", test_keeps_comments, run_isolated);
  g_test_add_data_func ("/heron/account/config/changed-and-copies", test_changed_and_copies, run_isolated);
  g_test_add_data_func ("/heron/account/config/file-names", test_file_names, run_isolated);
  g_test_add_data_func ("/heron/account/config/host-rules", test_host_rules, run_isolated);
  g_test_add_data_func ("/heron/account/config/validate-messages", test_validate_messages, run_isolated);
  g_test_add_data_func ("/heron/account/config/pin-follows-server", test_pin_follows_server, run_isolated);

  status = g_test_run ();
  test_account_dirs_cleanup ();
  return status;
}
