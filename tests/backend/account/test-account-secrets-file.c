/* test-account-secrets-file.c: passwords through libsecret's local file backend, the one a
 * Flatpak uses
 *
 * Copyright 2026 The Heron developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Inside a Flatpak (libsecret sees /.flatpak-info) libsecret does not talk to the Secret Service:
 * it keeps the items in an encrypted file of the application's own, whose key it gets from the
 * Secret portal (org.freedesktop.portal.Secret). That path is libsecret's "file" backend, chosen
 * here with SECRET_BACKEND=file; the portal cannot run here (no xdg-desktop-portal in a test), so
 * the key comes from libsecret's own test variable SECRET_FILE_TEST_PASSWORD instead. Everything
 * else is the real thing: Heron's code, libsecret and the encrypted file. No session bus at all,
 * so a call that went to the Secret Service would fail. What this cannot show: the portal handing
 * out the key.
 */

#include "config.h"

#include <string.h>

#include <glib/gstdio.h>

#include "account/heron-account.h"

#define PASSWORD "correct horse battery staple"
#define PASSWORD_2 "Tr0ub4dor&3 — ünïcode"

static char *keyring_path;

static GAsyncResult *
wait_for (GAsyncResult **slot)
{
  while (*slot == NULL)
    g_main_context_iteration (NULL, TRUE);
  return *slot;
}

static void
on_done (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

static void
store (const char           *account_id,
       HeronAccountProtocol  protocol,
       const char           *secret)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  heron_secrets_store_async (account_id, protocol, "mail.example.test", "person@example.test", secret,
                             NULL, on_done, &result);
  g_assert_true (heron_secrets_store_finish (wait_for (&result), &error));
  g_assert_no_error (error);
}

static char *
lookup (const char           *account_id,
        HeronAccountProtocol  protocol)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  char *secret;

  heron_secrets_lookup_async (account_id, protocol, "mail.example.test", "person@example.test", NULL,
                              on_done, &result);
  secret = heron_secrets_lookup_finish (wait_for (&result), &error);
  g_assert_no_error (error);
  return secret;
}

/* The bytes of the keyring file do not hold @text (the file is encrypted). */
static void
assert_file_lacks (const char *text)
{
  g_autofree char *contents = NULL;
  gsize length = 0;
  g_autoptr(GError) error = NULL;

  g_assert_true (g_file_get_contents (keyring_path, &contents, &length, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (length, >, 0);
  for (gsize i = 0; i + strlen (text) <= length; i++)
    g_assert_false (memcmp (contents + i, text, strlen (text)) == 0);
}

static void
test_store_lookup_clear (void)
{
  char *secret;

  /* nothing yet: NULL without an error */
  secret = lookup ("file-account", HERON_ACCOUNT_PROTOCOL_IMAP);
  g_assert_null (secret);

  store ("file-account", HERON_ACCOUNT_PROTOCOL_IMAP, PASSWORD);
  store ("file-account", HERON_ACCOUNT_PROTOCOL_SMTP, PASSWORD_2);
  store ("other-account", HERON_ACCOUNT_PROTOCOL_IMAP, PASSWORD_2);
  g_assert_true (g_file_test (keyring_path, G_FILE_TEST_IS_REGULAR));
  assert_file_lacks (PASSWORD);
  assert_file_lacks ("Tr0ub4dor");

  secret = lookup ("file-account", HERON_ACCOUNT_PROTOCOL_IMAP);
  g_assert_cmpstr (secret, ==, PASSWORD);
  heron_secrets_free (secret);
  secret = lookup ("file-account", HERON_ACCOUNT_PROTOCOL_SMTP);
  g_assert_cmpstr (secret, ==, PASSWORD_2);
  heron_secrets_free (secret);

  /* replaced, not added */
  store ("file-account", HERON_ACCOUNT_PROTOCOL_IMAP, PASSWORD_2);
  secret = lookup ("file-account", HERON_ACCOUNT_PROTOCOL_IMAP);
  g_assert_cmpstr (secret, ==, PASSWORD_2);
  heron_secrets_free (secret);

  /* clearing one account leaves the other's */
  {
    g_autoptr(GAsyncResult) result = NULL;
    g_autoptr(GError) error = NULL;

    heron_secrets_clear_async ("file-account", NULL, on_done, &result);
    g_assert_true (heron_secrets_clear_finish (wait_for (&result), &error));
    g_assert_no_error (error);
  }
  g_assert_null (lookup ("file-account", HERON_ACCOUNT_PROTOCOL_IMAP));
  g_assert_null (lookup ("file-account", HERON_ACCOUNT_PROTOCOL_SMTP));
  secret = lookup ("other-account", HERON_ACCOUNT_PROTOCOL_IMAP);
  g_assert_cmpstr (secret, ==, PASSWORD_2);
  heron_secrets_free (secret);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = NULL;
  int status;

  /* before libsecret reads them: the file backend, its test key, and no session bus */
  dir = g_dir_make_tmp ("heron-secrets-file-XXXXXX", &error);
  g_assert_no_error (error);
  keyring_path = g_build_filename (dir, "keyring", NULL);
  g_setenv ("SECRET_BACKEND", "file", TRUE);
  g_setenv ("SECRET_FILE_TEST_PATH", keyring_path, TRUE);
  g_setenv ("SECRET_FILE_TEST_PASSWORD", "the portal's key, in a test", TRUE);
  g_setenv ("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/heron-no-bus", TRUE);

  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/heron/account/secrets-file/store-lookup-clear", test_store_lookup_clear);
  status = g_test_run ();

  g_unlink (keyring_path);
  g_rmdir (dir);
  g_free (keyring_path);
  return status;
}
