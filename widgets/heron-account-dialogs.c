/* heron-account-dialogs.c: the password prompt and the untrusted-certificate dialog
 *
 * Copyright 2026 The Heron developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Both are AdwMessageDialogs made in code (a message dialog is a heading, a body, an extra
 * child and responses: a template would add nothing). Each holds a reference to its account
 * until it closes, so the account may go away meanwhile without harm.
 */
#include "config.h"

#include <string.h>
#include <glib/gi18n.h>

#include "heron-account-dialogs.h"
#include "heron-account-dialogs-private.h"

char *
_heron_certificate_dup_fingerprint (GTlsCertificate *certificate)
{
  g_autoptr(GByteArray) der = NULL;
  g_autofree char *hex = NULL;
  GString *out;

  g_return_val_if_fail (G_IS_TLS_CERTIFICATE (certificate), NULL);

  g_object_get (certificate, "certificate", &der, NULL);
  if (der == NULL)
    return NULL;
  hex = g_compute_checksum_for_data (G_CHECKSUM_SHA256, der->data, der->len);
  out = g_string_sized_new (96);
  for (gsize i = 0; hex[i] != '\0' && hex[i + 1] != '\0'; i += 2)
    {
      if (i > 0)
        g_string_append_c (out, ':');
      g_string_append_c (out, g_ascii_toupper (hex[i]));
      g_string_append_c (out, g_ascii_toupper (hex[i + 1]));
    }
  return g_string_free (out, FALSE);
}

/* The value labels do not wrap: a wrapping label in a message dialog's extra child makes GTK 4.8
 * size the dialog for its narrowest width (a window thousands of pixels tall). Long values are
 * broken into lines here (the fingerprint) or ellipsized with the whole text as tooltip. */
static void
add_detail (GtkGrid    *grid,
            int         row,
            const char *title,
            const char *value,
            gboolean    monospace)
{
  GtkWidget *label;

  label = gtk_label_new (title);
  gtk_label_set_xalign (GTK_LABEL (label), 1.0);
  gtk_label_set_yalign (GTK_LABEL (label), 0.0);
  gtk_widget_add_css_class (label, "dim-label");
  gtk_grid_attach (grid, label, 0, row, 1, 1);

  label = gtk_label_new (value);
  gtk_label_set_xalign (GTK_LABEL (label), 0.0);
  gtk_label_set_selectable (GTK_LABEL (label), TRUE);
  gtk_widget_set_hexpand (label, TRUE);
  if (monospace)
    gtk_widget_add_css_class (label, "monospace");
  else
    {
      gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
      gtk_label_set_max_width_chars (GTK_LABEL (label), 40);
      gtk_widget_set_tooltip_text (label, value);
    }
  gtk_grid_attach (grid, label, 1, row, 1, 1);
}

/* "SHA-256 AB:CD:…" or "AB:CD:…" as lines of 11 bytes. */
static char *
format_fingerprint (const char *fingerprint)
{
  GString *out = g_string_new (NULL);
  guint pairs = 0;

  if (g_str_has_prefix (fingerprint, "SHA-256"))
    fingerprint += strlen ("SHA-256");
  for (const char *p = fingerprint; *p != '\0'; p++)
    {
      if (g_ascii_isspace (*p))
        continue;
      if (*p == ':')
        {
          if (++pairs % 11 == 0)
            g_string_append_c (out, '\n');
          else
            g_string_append_c (out, ':');
          continue;
        }
      g_string_append_c (out, *p);
    }
  return g_string_free (out, FALSE);
}

static char *
format_date (GDateTime *date)
{
  g_autoptr(GDateTime) local = NULL;

  if (date == NULL)
    return NULL;
  local = g_date_time_to_local (date);
  return g_date_time_format (local, "%x %X");
}

GtkWidget *
_heron_certificate_details_new (GTlsCertificate *certificate,
                                const char      *fingerprint)
{
  g_autofree char *computed = NULL;
  g_autoptr(GDateTime) not_before = NULL;
  g_autoptr(GDateTime) not_after = NULL;
  g_autofree char *subject = NULL;
  g_autofree char *issuer = NULL;
  GtkGrid *grid;
  int row = 0;

  g_return_val_if_fail (certificate == NULL || G_IS_TLS_CERTIFICATE (certificate), NULL);

  grid = GTK_GRID (gtk_grid_new ());
  gtk_grid_set_row_spacing (grid, 6);
  gtk_grid_set_column_spacing (grid, 12);

  if (fingerprint == NULL && certificate != NULL)
    fingerprint = computed = _heron_certificate_dup_fingerprint (certificate);
  if (fingerprint != NULL)
    {
      g_autofree char *lines = format_fingerprint (fingerprint);

      add_detail (grid, row++, _("SHA-256 fingerprint"), lines, TRUE);
    }

  if (certificate != NULL)
    {
      g_autofree char *from = NULL;
      g_autofree char *until = NULL;

      subject = g_tls_certificate_get_subject_name (certificate);
      issuer = g_tls_certificate_get_issuer_name (certificate);
      not_before = g_tls_certificate_get_not_valid_before (certificate);
      not_after = g_tls_certificate_get_not_valid_after (certificate);
      if (subject != NULL)
        add_detail (grid, row++, _("Issued to"), subject, FALSE);
      if (issuer != NULL)
        add_detail (grid, row++, _("Issued by"), issuer, FALSE);
      from = format_date (not_before);
      until = format_date (not_after);
      if (from != NULL)
        add_detail (grid, row++, _("Valid from"), from, FALSE);
      if (until != NULL)
        add_detail (grid, row++, _("Valid until"), until, FALSE);
    }

  return GTK_WIDGET (grid);
}

/* The password prompt. */

static void
password_dialog_response (AdwMessageDialog *dialog,
                          const char       *response,
                          HeronAccount     *account)
{
  GtkEditable *entry;
  GtkCheckButton *remember;
  const char *password;

  /* GTK 4.8: a GtkPasswordEntry that still has the focus when its window is destroyed gets a
   * focus notification after it is gone. Every response closes the dialog: drop the focus. */
  gtk_window_set_focus (GTK_WINDOW (dialog), NULL);

  if (g_strcmp0 (response, "login") != 0)
    return;

  entry = g_object_get_data (G_OBJECT (dialog), "heron-password-entry");
  remember = g_object_get_data (G_OBJECT (dialog), "heron-remember");
  password = gtk_editable_get_text (entry);
  heron_account_retry_login (account, password, gtk_check_button_get_active (remember));
  /* Do not leave the password in the entry's buffer longer than needed. */
  gtk_editable_set_text (entry, "");
}

static void
password_entry_changed (GtkEditable      *entry,
                        AdwMessageDialog *dialog)
{
  adw_message_dialog_set_response_enabled (dialog, "login",
                                           *gtk_editable_get_text (entry) != '\0');
}

static void
password_entry_activate (GtkPasswordEntry *entry,
                         AdwMessageDialog *dialog)
{
  if (!adw_message_dialog_get_response_enabled (dialog, "login"))
    return;
  adw_message_dialog_response (dialog, "login");
  gtk_window_close (GTK_WINDOW (dialog));
}

void
heron_password_dialog_present (GtkWindow    *parent,
                               HeronAccount *account)
{
  HeronAccountConfig *config;
  HeronAccountServer *imap;
  const GError *error;
  g_autofree char *body = NULL;
  AdwMessageDialog *dialog;
  GtkWidget *box;
  GtkWidget *entry;
  GtkWidget *remember;

  g_return_if_fail (parent == NULL || GTK_IS_WINDOW (parent));
  g_return_if_fail (HERON_IS_ACCOUNT (account));

  config = heron_account_get_config (account);
  imap = heron_account_config_get_imap (config);
  error = heron_account_get_error (account);

  if (error != NULL)
    /* Translators: %1$s is a user name, %2$s a server, %3$s the server's or the system's words */
    body = g_strdup_printf (_("The server %2$s did not accept the password of %1$s: %3$s"),
                            heron_account_server_get_user (imap),
                            heron_account_server_get_host (imap),
                            error->message);
  else
    body = g_strdup_printf (_("The server %2$s did not accept the password of %1$s."),
                            heron_account_server_get_user (imap),
                            heron_account_server_get_host (imap));

  dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (parent, NULL, body));
  /* Translators: %s is an account's name, usually its address */
  adw_message_dialog_format_heading (dialog, _("Password for %s"),
                                     heron_account_get_display_name (account));

  box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 12);
  entry = gtk_password_entry_new ();
  gtk_widget_set_name (entry, "password");
  gtk_password_entry_set_show_peek_icon (GTK_PASSWORD_ENTRY (entry), TRUE);
  gtk_accessible_update_property (GTK_ACCESSIBLE (entry),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Password"),
                                  -1);
  g_object_set (entry, "placeholder-text", _("Password"), NULL);
  remember = gtk_check_button_new_with_mnemonic (_("_Remember password"));
  gtk_check_button_set_active (GTK_CHECK_BUTTON (remember), TRUE);
  gtk_box_append (GTK_BOX (box), entry);
  gtk_box_append (GTK_BOX (box), remember);
  adw_message_dialog_set_extra_child (dialog, box);

  adw_message_dialog_add_responses (dialog,
                                    "cancel", _("_Cancel"),
                                    "login", _("_Log In"),
                                    NULL);
  adw_message_dialog_set_response_appearance (dialog, "login", ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_response_enabled (dialog, "login", FALSE);
  adw_message_dialog_set_default_response (dialog, "login");
  adw_message_dialog_set_close_response (dialog, "cancel");

  g_object_set_data (G_OBJECT (dialog), "heron-password-entry", entry);
  g_object_set_data (G_OBJECT (dialog), "heron-remember", remember);
  g_object_set_data_full (G_OBJECT (dialog), "heron-account", g_object_ref (account),
                          g_object_unref);
  g_signal_connect_object (entry, "changed", G_CALLBACK (password_entry_changed), dialog, 0);
  g_signal_connect_object (entry, "activate", G_CALLBACK (password_entry_activate), dialog, 0);
  g_signal_connect (dialog, "response", G_CALLBACK (password_dialog_response), account);

  gtk_window_present (GTK_WINDOW (dialog));
  gtk_widget_grab_focus (entry);
}

/* The untrusted certificate. */

static void
certificate_dialog_response (AdwMessageDialog *dialog,
                             const char       *response,
                             HeronAccount     *account)
{
  const char *pem;

  if (g_strcmp0 (response, "trust") != 0)
    return;

  /* The PEM the person looked at, not whatever the account holds by now. */
  pem = g_object_get_data (G_OBJECT (dialog), "heron-pem");
  heron_account_trust_certificate (account, pem);
}

void
heron_certificate_dialog_present (GtkWindow    *parent,
                                  HeronAccount *account)
{
  g_autoptr(GTlsCertificate) certificate = NULL;
  g_autoptr(GError) local_error = NULL;
  const GError *error;
  const char *fingerprint = NULL;
  const char *pem;
  g_autofree char *body = NULL;
  AdwMessageDialog *dialog;
  GtkWidget *box;
  GtkWidget *details;

  g_return_if_fail (parent == NULL || GTK_IS_WINDOW (parent));
  g_return_if_fail (HERON_IS_ACCOUNT (account));

  pem = heron_account_get_untrusted_certificate (account, &fingerprint);
  if (pem == NULL)
    return;

  certificate = g_tls_certificate_new_from_pem (pem, -1, &local_error);
  if (certificate == NULL)
    g_warning ("The server's certificate cannot be read: %s", local_error->message);

  error = heron_account_get_error (account);
  /* Translators: %s is the account's name, usually its address */
  body = g_strdup_printf (_("The identity of the server of %s cannot be verified: the "
                            "certificate it presented is not signed by an authority this computer "
                            "trusts, or is not made for this server. Someone may be intercepting "
                            "the connection. Trust it only if you know this fingerprint is the "
                            "server's own, for example from its administrator."),
                          heron_account_get_display_name (account));
  if (error != NULL)
    {
      char *with_reason = g_strconcat (error->message, "\n\n", body, NULL);

      g_free (body);
      body = with_reason;
    }

  dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (parent, _("Untrusted Certificate"), body));
  box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 12);
  details = _heron_certificate_details_new (certificate, fingerprint);
  gtk_box_append (GTK_BOX (box), details);
  adw_message_dialog_set_extra_child (dialog, box);

  adw_message_dialog_add_responses (dialog,
                                    "cancel", _("_Cancel"),
                                    "trust", _("_Trust This Certificate"),
                                    NULL);
  adw_message_dialog_set_response_appearance (dialog, "trust", ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (dialog, "cancel");
  adw_message_dialog_set_close_response (dialog, "cancel");

  g_object_set_data_full (G_OBJECT (dialog), "heron-pem", g_strdup (pem), g_free);
  g_object_set_data_full (G_OBJECT (dialog), "heron-account", g_object_ref (account),
                          g_object_unref);
  g_signal_connect (dialog, "response", G_CALLBACK (certificate_dialog_response), account);

  gtk_window_present (GTK_WINDOW (dialog));
}
