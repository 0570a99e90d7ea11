/* test-composer.c: the composer window driven through its actions and widgets under Xvfb:
 * sending through the real Postfix into the real Dovecot, drafts saved automatically, and
 * address completion from the cache
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * One server for the program, users of their own for each test; the server's truth comes from
 * doveadm.
 */
#include "config.h"

#include <glib/gstdio.h>

#include "widgets-test-util.h"
#include "heron-address-entry.h"
#include "heron-composer-window.h"

static HeronTestServer *server;

/* Every user is made before the first login: Dovecot may miss a passwd-file change made in the
 * same second as the previous one (the harness adds users by rewriting the file). */
static const char * const test_users[] = { "sender", "rcpt", "drafter", "completer", "signer", NULL };

static void
add_users (void)
{
  for (guint i = 0; test_users[i] != NULL; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *user = g_strconcat (test_users[i], "@" HERON_TEST_SERVER_DOMAIN, NULL);

      g_assert_true (heron_test_server_add_user (server, user, NULL, &error));
      g_assert_no_error (error);
    }
}

/* The address of a user made by add_users(). */
static char *
new_user (const char *prefix)
{
  g_assert_true (g_strv_contains (test_users, prefix));
  return g_strconcat (prefix, "@" HERON_TEST_SERVER_DOMAIN, NULL);
}

typedef struct {
  const char *user;
  const char *mailbox;
  guint       count;
  const char *text;  /* nullable: every message holds it */
} MailboxWait;

static char *
fetch_text (const char *user,
            const char *mailbox)
{
  g_autoptr(GError) error = NULL;
  const char *argv[] = { "fetch", "-u", user, "text", "mailbox", mailbox, "all", NULL };
  char *out = NULL;

  g_assert_true (heron_test_server_doveadm (server, argv, &out, &error));
  g_assert_no_error (error);
  return out;
}

static gboolean
check_mailbox (gpointer data)
{
  MailboxWait *wait = data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) uids = heron_test_server_list_uids (server, wait->user, wait->mailbox, &error);
  g_autofree char *text = NULL;

  g_assert_no_error (error);
  if (uids->len != wait->count)
    {
      widgets_test_spin (100);
      return FALSE;
    }
  if (wait->text == NULL || wait->count == 0)
    return TRUE;
  text = fetch_text (wait->user, wait->mailbox);
  if (strstr (text, wait->text) == NULL)
    {
      widgets_test_spin (100);
      return FALSE;
    }
  return TRUE;
}

static void
wait_mailbox (const char *user,
              const char *mailbox,
              guint       count,
              const char *text)
{
  MailboxWait wait = { user, mailbox, count, text };
  g_autofree char *what = g_strdup_printf ("%u messages in %s of %s", count, mailbox, user);

  widgets_test_wait_until (check_mailbox, &wait, what);
}

static guint
mailbox_count (const char *user,
               const char *mailbox)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) uids = heron_test_server_list_uids (server, user, mailbox, &error);

  g_assert_no_error (error);
  return uids->len;
}

static HeronAccount *
start_account (HeronAccountManager *manager,
               const char          *user)
{
  g_autoptr(HeronAccountConfig) config = widgets_test_config_new (server, user);
  HeronAccount *account;

  account = widgets_test_add_account (manager, config, heron_test_server_get_user_password (server, user));
  widgets_test_wait_state (account, HERON_SYNC_STATE_ONLINE);
  return account;
}

static void
set_body (GtkWidget  *window,
          const char *text)
{
  GtkWidget *view = widgets_test_find_named (window, "body");

  g_assert_true (GTK_IS_TEXT_VIEW (view));
  gtk_text_buffer_set_text (gtk_text_view_get_buffer (GTK_TEXT_VIEW (view)), text, -1);
}

static void
set_subject (GtkWidget  *window,
             const char *text)
{
  gtk_editable_set_text (GTK_EDITABLE (widgets_test_find_named (window, "subject")), text);
}

static HeronAddressEntry *
address_entry (GtkWidget  *window,
               const char *name)
{
  GtkWidget *entry = widgets_test_find_named (window, name);

  g_assert_true (HERON_IS_ADDRESS_ENTRY (entry));
  return HERON_ADDRESS_ENTRY (entry);
}

static gboolean
check_draft (gpointer data)
{
  return heron_composer_window_get_draft (data) != NULL;
}

static void
test_send (void)
{
  g_autoptr(HeronAccountManager) manager = widgets_test_manager_new (server, TRUE, NULL);
  g_autofree char *user = new_user ("sender");
  g_autofree char *recipient = new_user ("rcpt");
  g_autoptr(HeronAccount) account = start_account (manager, user);
  g_autofree char *to = g_strdup_printf ("Recipient Person <%s>", recipient);
  g_autofree char *dir = g_dir_make_tmp ("heron-composer-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "notes.txt", NULL);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autofree char *received = NULL;
  GtkWidget *window;
  GtkWidget *status;

  g_assert_true (g_file_set_contents (path, "attached notes\n", -1, NULL));

  window = GTK_WIDGET (heron_composer_window_new (NULL, manager, account, NULL, NULL));
  gtk_window_present (GTK_WINDOW (window));

  /* Without a recipient, or with one that is not an address, nothing is sent and the window
   * says why. */
  set_subject (window, "Composer test message");
  set_body (window, "Hello,\n\nthis message was written in the composer.\n");
  g_assert_true (gtk_widget_activate_action (window, "composer.send", NULL));
  status = widgets_test_find_named (window, "status");
  g_test_message ("no recipient: %s", gtk_label_get_text (GTK_LABEL (status)));
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (status)), ==, "Add at least one recipient");
  heron_address_entry_set_text (address_entry (window, "to"), "not an address");
  g_assert_true (gtk_widget_activate_action (window, "composer.send", NULL));
  g_assert_nonnull (strstr (gtk_label_get_text (GTK_LABEL (status)), "not an address"));

  heron_address_entry_set_text (address_entry (window, "to"), to);
  heron_composer_window_add_attachment (HERON_COMPOSER_WINDOW (window), file);
  g_assert_cmpuint (heron_composer_window_get_n_attachments (HERON_COMPOSER_WINDOW (window)), ==, 1);

  /* A draft first: sending deletes it. */
  g_assert_true (gtk_widget_activate_action (window, "composer.save-draft", NULL));
  widgets_test_wait_until (check_draft, window, "the draft saved");
  wait_mailbox (user, "Drafts", 1, "Composer test message");
  g_assert_cmpuint (widgets_test_screenshot (window, "composer.png"), >, 16);

  g_assert_true (gtk_widget_activate_action (window, "composer.send", NULL));
  widgets_test_wait_destroyed (window, "the message sent and the composer closed");

  /* It arrived, with its attachment, and a copy is in Sent; the draft is gone. */
  wait_mailbox (recipient, "INBOX", 1, "Composer test message");
  received = fetch_text (recipient, "INBOX");
  g_assert_nonnull (strstr (received, "this message was written in the composer"));
  g_assert_nonnull (strstr (received, "notes.txt"));
  g_assert_nonnull (strstr (received, "Recipient Person"));
  wait_mailbox (user, "Sent", 1, "Composer test message");
  wait_mailbox (user, "Drafts", 0, NULL);

  heron_account_manager_shutdown (manager);
  g_unlink (path);
  g_rmdir (dir);
}

typedef struct {
  HeronComposerWindow *window;
  HeronMessage        *previous;
} DraftWait;

static gboolean
check_new_draft (gpointer data)
{
  DraftWait *wait = data;
  HeronMessage *draft = heron_composer_window_get_draft (wait->window);

  return draft != NULL && draft != wait->previous;
}

static gboolean
check_nothing_pending (gpointer data)
{
  return heron_account_get_n_pending (data) == 0;
}

static void
test_draft_autosave (void)
{
  g_autoptr(HeronAccountManager) manager = widgets_test_manager_new (server, TRUE, NULL);
  g_autofree char *user = new_user ("drafter");
  g_autoptr(HeronAccount) account = start_account (manager, user);
  g_autoptr(HeronMessage) first = NULL;
  g_autofree char *text = NULL;
  GtkWidget *window;
  DraftWait wait;

  window = GTK_WIDGET (heron_composer_window_new (NULL, manager, account, NULL, NULL));
  heron_composer_window_set_autosave_delay (HERON_COMPOSER_WINDOW (window), 300);
  gtk_window_present (GTK_WINDOW (window));

  /* Typing saves a draft a moment after the last change, without any action. */
  heron_address_entry_set_text (address_entry (window, "to"), "someone@example.test");
  set_subject (window, "Draft one");
  set_body (window, "The first version.\n");
  widgets_test_wait_until (check_draft, window, "the first automatic save");
  first = g_object_ref (heron_composer_window_get_draft (HERON_COMPOSER_WINDOW (window)));

  /* More typing replaces it. */
  set_subject (window, "Draft two");
  wait.window = HERON_COMPOSER_WINDOW (window);
  wait.previous = first;
  widgets_test_wait_until (check_new_draft, &wait, "the second automatic save");

  /* Closing saves the last change, then the window goes. */
  set_body (window, "The last version, saved when the window closed.\n");
  gtk_window_close (GTK_WINDOW (window));
  widgets_test_wait_destroyed (window, "the composer closed after saving");

  /* On the server: one draft, the last one. */
  widgets_test_wait_until (check_nothing_pending, account, "the journal replayed");
  wait_mailbox (user, "Drafts", 1, "saved when the window closed");
  text = fetch_text (user, "Drafts");
  g_assert_nonnull (strstr (text, "Draft two"));
  g_assert_null (strstr (text, "The first version"));
  widgets_test_spin (1000);
  g_assert_cmpuint (mailbox_count (user, "Drafts"), ==, 1);

  heron_account_manager_shutdown (manager);
}

static gboolean
check_total (gpointer data)
{
  HeronFolder *inbox = heron_account_lookup_folder (data, "INBOX");

  return inbox != NULL && heron_folder_get_total_count (inbox) >= 1;
}

static void
test_complete_address (void)
{
  g_autoptr(HeronAccountManager) manager = widgets_test_manager_new (server, TRUE, NULL);
  g_autofree char *user = new_user ("completer");
  g_autoptr(HeronAccount) account = NULL;
  g_autoptr(GBytes) message = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *raw = NULL;
  HeronAddressEntry *to;
  GtkWidget *window;
  GtkWidget *inner;

  raw = g_strdup_printf ("From: Carol Example <carol@example.test>\r\n"
                         "To: %s\r\n"
                         "Subject: A message to remember Carol by\r\n"
                         "Date: Mon, 2 Nov 2026 10:00:00 +0000\r\n"
                         "Message-ID: <carol-1@example.test>\r\n"
                         "\r\n"
                         "Hello.\r\n", user);
  message = g_bytes_new_take (g_steal_pointer (&raw), strlen (raw));
  g_assert_true (heron_test_server_deliver (server, user, "INBOX", message, NULL, &error) > 0);
  g_assert_no_error (error);

  account = start_account (manager, user);
  widgets_test_wait_until (check_total, account, "INBOX synced");

  window = GTK_WIDGET (heron_composer_window_new (NULL, manager, account, NULL, NULL));
  gtk_window_present (GTK_WINDOW (window));
  to = address_entry (window, "to");
  inner = gtk_widget_get_first_child (GTK_WIDGET (to));
  g_assert_true (GTK_IS_ENTRY (inner));

  /* Typed (the entry has the focus): the list opens. Set by the program: it does not. */
  heron_address_entry_set_text (to, "car");
  g_assert_false (heron_address_entry_get_completion_shown (to));
  gtk_widget_grab_focus (inner);
  gtk_editable_set_text (GTK_EDITABLE (inner), "car");
  g_assert_true (heron_address_entry_get_completion_shown (to));
  gtk_editable_set_text (GTK_EDITABLE (inner), "zzz-nobody");
  g_assert_false (heron_address_entry_get_completion_shown (to));

  /* What the entry holds parses into addresses, and a bad part is named. */
  heron_address_entry_set_text (to, "\"Example, Carol\" <carol@example.test>, bob@example.test");
  {
    g_autoptr(GPtrArray) addresses = heron_address_entry_dup_addresses (to, &error);
    HeronMimeAddress *first;

    g_assert_no_error (error);
    g_assert_cmpuint (addresses->len, ==, 2);
    first = g_ptr_array_index (addresses, 0);
    g_assert_cmpstr (first->address, ==, "carol@example.test");
    g_assert_cmpstr (first->name, ==, "Example, Carol");
  }
  heron_address_entry_set_text (to, "carol@example.test, bob@");
  g_assert_null (heron_address_entry_dup_addresses (to, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
  g_assert_nonnull (strstr (error->message, "bob@"));

  heron_address_entry_set_text (to, "");
  gtk_window_set_focus (GTK_WINDOW (window), NULL);
  gtk_window_destroy (GTK_WINDOW (window));
  heron_account_manager_shutdown (manager);
}

static char *
get_body (GtkWidget *window)
{
  GtkWidget *view = widgets_test_find_named (window, "body");
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (GTK_TEXT_VIEW (view));
  GtkTextIter start, end;

  gtk_text_buffer_get_bounds (buffer, &start, &end);
  return gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
}

/* A new message carries the identity's signature with one separator; choosing another sender
 * replaces it while it is untouched, and leaves a signature the person edited alone. */
static void
test_signature_follows_identity (void)
{
  g_autoptr(HeronAccountManager) manager = widgets_test_manager_new (server, TRUE, NULL);
  g_autofree char *user = new_user ("signer");
  g_autoptr(HeronAccountConfig) config = widgets_test_config_new (server, user);
  g_autoptr(HeronAccountIdentity) home = g_list_model_get_item (heron_account_config_get_identities (config), 0);
  g_autoptr(HeronAccountIdentity) work = heron_account_identity_new ("Test Person", "signer-work@example.test");
  g_autoptr(HeronAccount) account = NULL;
  g_autofree char *body = NULL;
  GtkDropDown *identity;
  GtkWidget *window;

  heron_account_identity_set_signature (home, "Home\nhttps://home.example.test");
  /* brings its own separator: it must not get a second one */
  heron_account_identity_set_signature (work, "-- \nAt work");
  heron_account_config_add_identity (config, work);
  account = widgets_test_add_account (manager, config, heron_test_server_get_user_password (server, user));

  window = GTK_WIDGET (heron_composer_window_new (NULL, manager, account, NULL, NULL));
  gtk_window_present (GTK_WINDOW (window));
  identity = GTK_DROP_DOWN (widgets_test_find_named (window, "identity"));
  body = get_body (window);
  g_assert_cmpstr (body, ==, "\n\n-- \nHome\nhttps://home.example.test\n");
  g_clear_pointer (&body, g_free);

  /* what the person wrote stays; the signature follows the sender */
  set_body (window, "Dear all,\n\n-- \nHome\nhttps://home.example.test\n");
  gtk_drop_down_set_selected (identity, 1);
  body = get_body (window);
  g_assert_cmpstr (body, ==, "Dear all,\n\n-- \nAt work\n");
  g_clear_pointer (&body, g_free);
  gtk_drop_down_set_selected (identity, 0);
  body = get_body (window);
  g_assert_cmpstr (body, ==, "Dear all,\n\n-- \nHome\nhttps://home.example.test\n");
  g_clear_pointer (&body, g_free);

  /* an edited signature is the person's: it stays, and no second one is added */
  set_body (window, "Dear all,\n\n-- \nHome, on the train\n");
  gtk_drop_down_set_selected (identity, 1);
  body = get_body (window);
  g_assert_cmpstr (body, ==, "Dear all,\n\n-- \nHome, on the train\n");
  g_clear_pointer (&body, g_free);

  gtk_window_set_focus (GTK_WINDOW (window), NULL);
  gtk_window_destroy (GTK_WINDOW (window));
  heron_account_manager_shutdown (manager);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  int status;

  /* at-spi2-registryd, started by the accessibility bus, may print to stdout, which is TAP
   * here; these tests drive the widgets directly. */
  g_setenv ("GTK_A11Y", "none", TRUE);
  gtk_test_init (&argc, &argv, NULL);
  adw_init ();

  server = heron_test_server_new (&error);
  g_assert_no_error (error);
  add_users ();

  g_test_add_func ("/heron/widgets/composer/send", test_send);
  g_test_add_func ("/heron/widgets/composer/draft-autosave", test_draft_autosave);
  g_test_add_func ("/heron/widgets/composer/complete-address", test_complete_address);
  g_test_add_func ("/heron/widgets/composer/signature-follows-identity", test_signature_follows_identity);

  status = g_test_run ();
  heron_test_server_free (server);
  return status;
}
