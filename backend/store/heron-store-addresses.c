/* heron-store-addresses.c: the addresses the cache has seen, for the composer's completion
 *
 * The senders of the cached messages, and the recipients of the person's own (Sent folders and
 * the outbox), one row per address (without ASCII case) in the addresses table, which triggers
 * keep as messages, outbox entries and Sent folders come and go (heron-store-schema.c, steps 7
 * and 9; a folder gaining or losing the Sent use counts too): its
 * name, how many messages came from it, how many were sent to it, and the newest date. A prefix of the address is looked up in its index; a prefix
 * of the name or of a later word of it is matched over that small table (one row per
 * correspondent, not per message), so a keystroke never scans the messages.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "heron-store-private.h"

#define DEFAULT_LIMIT 20

/* A message sent to an address weighs as this many received from it. */
#define SENT_WEIGHT 2

void
heron_store_address_free (HeronStoreAddress *address)
{
  if (address == NULL)
    return;
  g_free (address->name);
  g_free (address->address);
  g_free (address);
}

/* @text for LIKE ... ESCAPE '\': its own % and _ stand for themselves. */
static char *
escape_like (const char *text)
{
  GString *out = g_string_sized_new (strlen (text) + 4);

  for (const char *p = text; *p != '\0'; p++)
    {
      if (*p == '%' || *p == '_' || *p == '\\')
        g_string_append_c (out, '\\');
      g_string_append_c (out, *p);
    }
  return g_string_free (out, FALSE);
}

GPtrArray *
heron_store_reader_complete_addresses (HeronStoreReader *self,
                                       const char       *prefix,
                                       guint             limit,
                                       GError          **error)
{
  HeronStoreDb *db;
  g_autoptr (HeronStoreStmt) stmt = NULL;
  g_autoptr (GPtrArray) addresses = NULL;
  g_autofree char *escaped = NULL;
  g_autofree char *starts = NULL;
  g_autofree char *word = NULL;
  int rc;

  g_return_val_if_fail (HERON_IS_STORE_READER (self), NULL);
  g_return_val_if_fail (prefix != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  db = _heron_store_reader_get_db (self);
  escaped = escape_like (prefix);
  starts = g_strconcat (escaped, "%", NULL);
  word = g_strconcat ("% ", escaped, "%", NULL);

  stmt = _heron_store_db_prepare (db,
                                  "SELECT address, name, count, sent"
                                  " FROM addresses"
                                  " WHERE address LIKE ?1 ESCAPE '\\'"
                                  "    OR name LIKE ?1 ESCAPE '\\'"
                                  "    OR name LIKE ?2 ESCAPE '\\'"
                                  " ORDER BY count + " G_STRINGIFY (SENT_WEIGHT) " * sent DESC, last_date DESC"
                                  " LIMIT ?3",
                                  error);
  if (stmt == NULL)
    return NULL;
  _heron_store_bind_text (stmt, 1, starts);
  _heron_store_bind_text (stmt, 2, word);
  sqlite3_bind_int64 (stmt, 3, limit != 0 ? limit : DEFAULT_LIMIT);

  addresses = g_ptr_array_new_with_free_func ((GDestroyNotify) heron_store_address_free);
  while ((rc = _heron_store_db_step (db, stmt, error)) == SQLITE_ROW)
    {
      HeronStoreAddress *address = g_new0 (HeronStoreAddress, 1);

      address->address = _heron_store_column_dup (stmt, 0);
      address->name = _heron_store_column_dup (stmt, 1);
      if (address->name == NULL)
        address->name = g_strdup ("");
      address->count = (guint) MAX (sqlite3_column_int64 (stmt, 2), 0);
      address->sent = (guint) MAX (sqlite3_column_int64 (stmt, 3), 0);
      g_ptr_array_add (addresses, address);
    }
  if (rc != SQLITE_DONE)
    return NULL;
  return g_steal_pointer (&addresses);
}
