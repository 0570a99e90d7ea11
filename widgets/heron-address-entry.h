/* heron-address-entry.h: a recipients entry (To, Cc, Bcc) with completion from the cache
 *
 * Copyright 2026 The Heron developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

#include "heron-backend.h"

G_BEGIN_DECLS

#define HERON_TYPE_ADDRESS_ENTRY (heron_address_entry_get_type ())

G_DECLARE_FINAL_TYPE (HeronAddressEntry, heron_address_entry, HERON, ADDRESS_ENTRY, GtkWidget)

/* A text entry for a comma-separated list of addresses ("Bob <bob@example.org>, carol@…").
 * While the person types, the part after the last comma is completed from the addresses the
 * account has seen (heron_account_complete_address()), in a list below the entry: Up and Down
 * choose, Return or Tab take the choice, Escape closes the list.
 *
 * Properties: account (HeronAccount, nullable: no completion), text, label (the accessible
 * name of the entry). Signal ::changed when the text changed. */

GtkWidget    *heron_address_entry_new        (void);

HeronAccount *heron_address_entry_get_account (HeronAddressEntry *self);
void          heron_address_entry_set_account (HeronAddressEntry *self,
                                               HeronAccount      *account);
const char   *heron_address_entry_get_text    (HeronAddressEntry *self);
void          heron_address_entry_set_text    (HeronAddressEntry *self,
                                               const char        *text);
/* Replaces the addresses with @addresses (HeronMimeAddress), written "Name <address>, …". */
void          heron_address_entry_set_addresses (HeronAddressEntry *self,
                                                 GPtrArray         *addresses);
/* The addresses typed (HeronMimeAddress), empty for an empty entry; NULL with an error
 * (G_IO_ERROR_INVALID_DATA) naming the first part that is not an address. */
GPtrArray    *heron_address_entry_dup_addresses (HeronAddressEntry *self,
                                                 GError           **error);
/* Whether the list of completions is open (tests). */
gboolean      heron_address_entry_get_completion_shown (HeronAddressEntry *self);

G_END_DECLS
