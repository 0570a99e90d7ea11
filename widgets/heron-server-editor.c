/* heron-server-editor.c: the rows that edit one server of an account (host, security, port,
 * user name), shared by the account setup window and the preferences window
 *
 * Copyright 2026 The Heron developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>

#include "heron-server-editor.h"

#define PROTOCOL_KEY "heron-server-editor-protocol"

/* Follow the security with the port while the port is a standard one. The protocol is kept on
 * the row and the spin button is the handler's data, so the handler never outlives what it
 * touches. */
static void
security_changed (AdwComboRow   *row,
                  GParamSpec    *pspec,
                  GtkSpinButton *spin)
{
  HeronAccountProtocol protocol = GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (row), PROTOCOL_KEY));
  guint selected = adw_combo_row_get_selected (row);
  guint port = gtk_spin_button_get_value_as_int (spin);

  if (selected > HERON_ACCOUNT_SECURITY_NONE)
    return;
  for (HeronAccountSecurity s = HERON_ACCOUNT_SECURITY_TLS; s <= HERON_ACCOUNT_SECURITY_NONE; s++)
    if (port == heron_account_server_get_default_port (protocol, s))
      {
        gtk_spin_button_set_value (spin, heron_account_server_get_default_port (protocol, selected));
        break;
      }
}

void
heron_server_editor_init (HeronServerEditor    *editor,
                          HeronAccountProtocol  protocol,
                          AdwEntryRow          *host,
                          AdwComboRow          *security,
                          GtkSpinButton        *port,
                          AdwEntryRow          *user)
{
  g_return_if_fail (editor != NULL);
  g_return_if_fail (ADW_IS_ENTRY_ROW (host));
  g_return_if_fail (ADW_IS_COMBO_ROW (security));
  g_return_if_fail (GTK_IS_SPIN_BUTTON (port));
  g_return_if_fail (ADW_IS_ENTRY_ROW (user));

  editor->protocol = protocol;
  editor->host = host;
  editor->security = security;
  editor->port = port;
  editor->user = user;
  g_object_set_data (G_OBJECT (security), PROTOCOL_KEY, GUINT_TO_POINTER (protocol));
  g_signal_connect_object (security, "notify::selected", G_CALLBACK (security_changed), port, 0);
}

static AdwEntryRow *
entry_row_new (const char *title,
               const char *prefix,
               const char *suffix)
{
  GtkWidget *row = adw_entry_row_new ();
  g_autofree char *name = g_strconcat (prefix, suffix, NULL);

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  gtk_widget_set_name (row, name);
  return ADW_ENTRY_ROW (row);
}

void
heron_server_editor_add_rows (HeronServerEditor    *editor,
                              HeronAccountProtocol  protocol,
                              AdwPreferencesGroup  *group,
                              const char           *name_prefix)
{
  g_autoptr(GtkStringList) securities = NULL;
  g_autofree char *security_name = g_strconcat (name_prefix, "-security", NULL);
  g_autofree char *port_name = g_strconcat (name_prefix, "-port", NULL);
  AdwEntryRow *host;
  AdwEntryRow *user;
  GtkWidget *security;
  GtkWidget *port_row;
  GtkWidget *port;

  g_return_if_fail (editor != NULL);
  g_return_if_fail (ADW_IS_PREFERENCES_GROUP (group));
  g_return_if_fail (name_prefix != NULL);

  host = entry_row_new (_("Server"), name_prefix, "-host");
  adw_preferences_group_add (group, GTK_WIDGET (host));

  /* in the order of HeronAccountSecurity */
  securities = gtk_string_list_new ((const char * const []) { _("TLS"), _("STARTTLS"),
                                                              _("None (this computer only)"), NULL });
  security = adw_combo_row_new ();
  gtk_widget_set_name (security, security_name);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (security), _("Security"));
  adw_combo_row_set_model (ADW_COMBO_ROW (security), G_LIST_MODEL (securities));
  adw_preferences_group_add (group, security);

  port_row = adw_action_row_new ();
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (port_row), _("Port"));
  port = gtk_spin_button_new_with_range (1, 65535, 1);
  gtk_widget_set_name (port, port_name);
  gtk_widget_set_valign (port, GTK_ALIGN_CENTER);
  gtk_accessible_update_property (GTK_ACCESSIBLE (port), GTK_ACCESSIBLE_PROPERTY_LABEL, _("Port"), -1);
  adw_action_row_add_suffix (ADW_ACTION_ROW (port_row), port);
  adw_preferences_group_add (group, port_row);

  user = entry_row_new (_("User Name"), name_prefix, "-user");
  adw_preferences_group_add (group, GTK_WIDGET (user));

  heron_server_editor_init (editor, protocol, host, ADW_COMBO_ROW (security), GTK_SPIN_BUTTON (port), user);
}

void
heron_server_editor_load (HeronServerEditor  *editor,
                          HeronAccountServer *server)
{
  const char *host;
  const char *user;

  g_return_if_fail (editor != NULL && editor->host != NULL);
  g_return_if_fail (HERON_IS_ACCOUNT_SERVER (server));

  host = heron_account_server_get_host (server);
  user = heron_account_server_get_user (server);
  gtk_editable_set_text (GTK_EDITABLE (editor->host), host != NULL ? host : "");
  adw_combo_row_set_selected (editor->security, heron_account_server_get_security (server));
  /* after the security, which may have moved it */
  gtk_spin_button_set_value (editor->port, heron_account_server_get_effective_port (server));
  gtk_editable_set_text (GTK_EDITABLE (editor->user), user != NULL ? user : "");
}

static char *
dup_stripped_text (AdwEntryRow *row)
{
  return g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (row))));
}

void
heron_server_editor_store (HeronServerEditor  *editor,
                           HeronAccountServer *server)
{
  g_autofree char *host = NULL;
  g_autofree char *user = NULL;
  HeronAccountSecurity security = HERON_ACCOUNT_SECURITY_TLS;
  guint selected;

  g_return_if_fail (editor != NULL && editor->host != NULL);
  g_return_if_fail (HERON_IS_ACCOUNT_SERVER (server));

  host = dup_stripped_text (editor->host);
  user = dup_stripped_text (editor->user);
  /* nothing chosen (never the case with the rows above) is TLS, never plain text */
  selected = adw_combo_row_get_selected (editor->security);
  if (selected <= HERON_ACCOUNT_SECURITY_NONE)
    security = selected;
  heron_account_server_set_host (server, host);
  heron_account_server_set_security (server, security);
  heron_account_server_set_port (server, gtk_spin_button_get_value_as_int (editor->port));
  heron_account_server_set_user (server, *user != '\0' ? user : NULL);
  heron_account_server_set_allow_plaintext_on_loopback (server,
                                                        security == HERON_ACCOUNT_SECURITY_NONE
                                                        && heron_account_host_is_loopback (host));
}
