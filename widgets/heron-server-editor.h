/* heron-server-editor.h: the rows that edit one server of an account (host, security, port,
 * user name), shared by the account setup window and the preferences window
 *
 * Copyright 2026 The Heron developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "heron-backend.h"

G_BEGIN_DECLS

/* Not a widget: the rows belong to the window that shows them (in its template, or made by
 * heron_server_editor_add_rows()); this holds them so that both windows read and write a
 * server the same way. The security row's model lists TLS, STARTTLS, None in the order of
 * HeronAccountSecurity. */
typedef struct {
  HeronAccountProtocol  protocol;
  AdwEntryRow          *host;
  AdwComboRow          *security;
  GtkSpinButton        *port;
  AdwEntryRow          *user;
} HeronServerEditor;

/* Takes rows made elsewhere, and makes the port follow the security while it is a standard
 * port of the protocol (993 <-> 143, 465 <-> 587). */
void heron_server_editor_init     (HeronServerEditor    *editor,
                                   HeronAccountProtocol  protocol,
                                   AdwEntryRow          *host,
                                   AdwComboRow          *security,
                                   GtkSpinButton        *port,
                                   AdwEntryRow          *user);
/* Makes the four rows in @group (named PREFIX-host, -security, -port, -user) and inits @editor
 * with them. */
void heron_server_editor_add_rows (HeronServerEditor    *editor,
                                   HeronAccountProtocol  protocol,
                                   AdwPreferencesGroup  *group,
                                   const char           *name_prefix);

/* Shows @server in the rows. */
void heron_server_editor_load     (HeronServerEditor    *editor,
                                   HeronAccountServer   *server);
/* Writes the rows into @server. Choosing "None" is the account's decision to allow plain text on
 * loopback (validation still refuses it for any other host). A pinned certificate goes when the
 * host, port or security changed (heron_account_server_set_host() and the others drop it). */
void heron_server_editor_store    (HeronServerEditor    *editor,
                                   HeronAccountServer   *server);

G_END_DECLS
