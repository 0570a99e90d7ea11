/* heron-store-addresses.h: the addresses the cache has seen, for completion (include
 * heron-store.h)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "heron-store-types.h"

G_BEGIN_DECLS

/* One address seen in the cache: the name it was last seen with ("" when none), how many
 * messages carry it as their sender, and how many the person sent to it (messages in a Sent
 * folder naming it in To, Cc or Bcc, and outbox entries sending to it). */
typedef struct {
  char  *name;
  char  *address;
  guint  count;
  guint  sent;
} HeronStoreAddress;

void heron_store_address_free (HeronStoreAddress *address);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (HeronStoreAddress, heron_store_address_free)

/* The senders of the account's messages and the recipients of the person's own (Sent folders,
 * outbox) whose address or name starts with @prefix (case insensitive for ASCII; a word of the
 * name counts too: "lima" finds "Ana Lima"), the most frequent first (a message sent to an
 * address weighs as two received from it: people one writes to rank high), at most @limit (0:
 * 20). A GPtrArray of HeronStoreAddress. An empty @prefix gives the most frequent ones. */
GPtrArray *heron_store_reader_complete_addresses (HeronStoreReader *self,
                                                  const char       *prefix,
                                                  guint             limit,
                                                  GError          **error);

G_END_DECLS
