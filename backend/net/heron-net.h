/* heron-net.h: small facts about connections that the protocol engines share
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * DESIGN.md allows plain text only to a loopback address, and only when the account says so.
 * Whether a peer is loopback is decided here once for IMAP and SMTP: by the address actually
 * connected to, never by the name alone (a name can resolve anywhere).
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* TRUE when the remote address of connection is a loopback address (127.0.0.0/8, ::1). */
gboolean heron_net_connection_is_loopback (GSocketConnection *connection);

/* TRUE for names that can only mean this machine ("localhost", "127.x.y.z", "::1"): used to
 * skip proxy lookups for them, not to decide about plain text. */
gboolean heron_net_is_loopback_name       (const char        *host);

G_END_DECLS
