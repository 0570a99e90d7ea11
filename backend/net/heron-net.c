/* heron-net.c: loopback checks shared by the protocol engines
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "heron-net.h"

gboolean
heron_net_connection_is_loopback (GSocketConnection *connection)
{
  g_autoptr(GSocketAddress) remote = NULL;

  g_return_val_if_fail (G_IS_SOCKET_CONNECTION (connection), FALSE);

  remote = g_socket_connection_get_remote_address (connection, NULL);
  if (remote == NULL || !G_IS_INET_SOCKET_ADDRESS (remote))
    return FALSE;

  return g_inet_address_get_is_loopback (
    g_inet_socket_address_get_address (G_INET_SOCKET_ADDRESS (remote)));
}

gboolean
heron_net_is_loopback_name (const char *host)
{
  g_return_val_if_fail (host != NULL, FALSE);

  return g_ascii_strcasecmp (host, "localhost") == 0 ||
         g_str_has_prefix (host, "127.") ||
         strcmp (host, "::1") == 0 ||
         strcmp (host, "[::1]") == 0;
}
