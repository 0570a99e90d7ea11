/* heron-store-schema.c: the schema of the cache and its numbered migrations
 *
 * PRAGMA user_version holds the number of the last step applied. Steps run in order, each in
 * its own transaction together with the new user_version, so a crash leaves the database at a
 * step boundary and the next open continues from there. A step is SQL and, where existing rows
 * must be filled in, a function; it may only use what exists at that step (never the code paths
 * that assume the latest schema). Never edit a released step: add one. docs/store.md lists them.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "heron-store-private.h"

typedef struct {
  int          version;
  const char  *name;
  const char  *sql;
  gboolean   (*fill) (HeronStore *self, GError **error);
} HeronStoreMigration;

/* 1: folders, messages, raw sources, and the triggers that keep counts and references. */
static const char schema_1[] =
  "CREATE TABLE meta ("
  "  key   TEXT PRIMARY KEY,"
  "  value"
  ") WITHOUT ROWID;"
  "INSERT INTO meta (key, value) VALUES ('created', CAST (strftime ('%s', 'now') AS INTEGER));"

  "CREATE TABLE folders ("
  "  id            INTEGER PRIMARY KEY AUTOINCREMENT,"
  "  name          TEXT NOT NULL UNIQUE,"
  "  display_name  TEXT NOT NULL,"
  "  delimiter     TEXT,"
  "  attributes    INTEGER NOT NULL DEFAULT 0,"
  "  special_use   INTEGER NOT NULL DEFAULT 0,"
  "  subscribed    INTEGER NOT NULL DEFAULT 0,"
  "  uidvalidity   INTEGER NOT NULL DEFAULT 0,"
  "  uidnext       INTEGER NOT NULL DEFAULT 0,"
  "  highestmodseq INTEGER NOT NULL DEFAULT 0,"
  "  n_messages    INTEGER NOT NULL DEFAULT 0,"
  "  n_unread      INTEGER NOT NULL DEFAULT 0"
  ");"

  "CREATE TABLE sources ("
  "  id    INTEGER PRIMARY KEY,"
  "  hash  TEXT NOT NULL UNIQUE,"
  "  size  INTEGER NOT NULL,"
  "  refs  INTEGER NOT NULL DEFAULT 0"
  ");"
  "CREATE INDEX sources_unreferenced ON sources (id) WHERE refs <= 0;"
  /* Small sources live here; large ones in files (heron-store-bodies.c) */
  "CREATE TABLE source_data ("
  "  source_id INTEGER PRIMARY KEY REFERENCES sources (id) ON DELETE CASCADE,"
  "  data      BLOB NOT NULL"
  ");"

  "CREATE TABLE messages ("
  "  id              INTEGER PRIMARY KEY,"
  "  folder_id       INTEGER NOT NULL REFERENCES folders (id) ON DELETE CASCADE,"
  "  uid             INTEGER NOT NULL,"
  "  flags           INTEGER NOT NULL DEFAULT 0,"
  "  keywords        TEXT,"
  "  modseq          INTEGER NOT NULL DEFAULT 0,"
  "  internal_date   INTEGER NOT NULL DEFAULT 0,"
  "  sent_date       INTEGER NOT NULL DEFAULT 0,"
  "  date            INTEGER NOT NULL DEFAULT 0,"
  "  size            INTEGER NOT NULL DEFAULT 0,"
  "  subject         TEXT,"
  "  from_name       TEXT,"
  "  from_address    TEXT,"
  "  sender          TEXT,"
  "  reply_to        TEXT,"
  "  to_list         TEXT,"
  "  cc_list         TEXT,"
  "  bcc_list        TEXT,"
  "  message_id      TEXT,"
  "  in_reply_to     TEXT,"
  "  references_list TEXT,"
  "  body_structure  BLOB,"
  "  has_attachment  INTEGER NOT NULL DEFAULT 0,"
  "  body_local      INTEGER NOT NULL DEFAULT 0,"
  "  snippet         TEXT,"
  "  source_id       INTEGER REFERENCES sources (id),"
  "  UNIQUE (folder_id, uid)"
  ");"
  /* The message list: a window of a folder in date order, and a message's position in it. */
  "CREATE INDEX messages_by_date ON messages (folder_id, date DESC, uid DESC);"
  "CREATE INDEX messages_by_message_id ON messages (message_id) WHERE message_id IS NOT NULL;"
  /* For the foreign key check when a source row goes. */
  "CREATE INDEX messages_by_source ON messages (source_id) WHERE source_id IS NOT NULL;"

  /* Counts: a message is unread when neither \\Seen (1) nor \\Deleted (8) is set. */
  "CREATE TRIGGER messages_count_insert AFTER INSERT ON messages BEGIN"
  "  UPDATE folders SET n_messages = n_messages + 1,"
  "                     n_unread = n_unread + ((new.flags & 9) = 0)"
  "   WHERE id = new.folder_id;"
  "END;"
  "CREATE TRIGGER messages_count_delete AFTER DELETE ON messages BEGIN"
  "  UPDATE folders SET n_messages = n_messages - 1,"
  "                     n_unread = n_unread - ((old.flags & 9) = 0)"
  "   WHERE id = old.folder_id;"
  "END;"
  "CREATE TRIGGER messages_count_update AFTER UPDATE OF folder_id, flags ON messages"
  "  WHEN old.folder_id IS NOT new.folder_id OR ((old.flags & 9) = 0) IS NOT ((new.flags & 9) = 0) BEGIN"
  "  UPDATE folders SET n_messages = n_messages - 1,"
  "                     n_unread = n_unread - ((old.flags & 9) = 0)"
  "   WHERE id = old.folder_id;"
  "  UPDATE folders SET n_messages = n_messages + 1,"
  "                     n_unread = n_unread + ((new.flags & 9) = 0)"
  "   WHERE id = new.folder_id;"
  "END;"

  /* References to raw sources; the writer deletes unreferenced ones after the commit. */
  "CREATE TRIGGER messages_source_insert AFTER INSERT ON messages WHEN new.source_id IS NOT NULL BEGIN"
  "  UPDATE sources SET refs = refs + 1 WHERE id = new.source_id;"
  "END;"
  "CREATE TRIGGER messages_source_delete AFTER DELETE ON messages WHEN old.source_id IS NOT NULL BEGIN"
  "  UPDATE sources SET refs = refs - 1 WHERE id = old.source_id;"
  "END;"
  "CREATE TRIGGER messages_source_update AFTER UPDATE OF source_id ON messages"
  "  WHEN old.source_id IS NOT new.source_id BEGIN"
  "  UPDATE sources SET refs = refs - 1 WHERE id = old.source_id;"
  "  UPDATE sources SET refs = refs + 1 WHERE id = new.source_id;"
  "END;";

/* 2: conversations. thread_ids maps a 64-bit hash of every Message-ID seen (a message's own and
 * those it refers to) to its conversation (heron-store-threading.c). */
static const char schema_2[] =
  "CREATE TABLE conversations ("
  "  id    INTEGER PRIMARY KEY AUTOINCREMENT,"
  "  n_ids INTEGER NOT NULL DEFAULT 0"
  ");"
  "CREATE TABLE thread_ids ("
  "  hash            INTEGER PRIMARY KEY,"
  "  conversation_id INTEGER NOT NULL"
  ");"
  "CREATE INDEX thread_ids_by_conversation ON thread_ids (conversation_id);"
  "ALTER TABLE messages ADD COLUMN conversation_id INTEGER NOT NULL DEFAULT 0;"
  "CREATE INDEX messages_by_conversation ON messages (conversation_id);";

/* 3: the full-text index. It keeps its own copy of the text (a regular FTS5 table): rows are
 * deleted by rowid without having to present the old text again. Its rowid is the message row's
 * id, and from this step on that id is date-ordered (_heron_store_row_key()), so that the index
 * itself returns the newest hits first (docs/store.md, "Search"). fill_search re-keys older
 * rows and indexes them. */
static const char schema_3[] =
  "CREATE VIRTUAL TABLE message_fts USING fts5 ("
  "  sender, recipients, subject, body,"
  "  tokenize = 'unicode61 remove_diacritics 2'"
  ");"
  "ALTER TABLE messages ADD COLUMN text_indexed INTEGER NOT NULL DEFAULT 0;"
  "CREATE INDEX messages_text_missing ON messages (id) WHERE body_local AND NOT text_indexed;"
  "CREATE TRIGGER messages_fts_delete AFTER DELETE ON messages BEGIN"
  "  DELETE FROM message_fts WHERE rowid = old.id;"
  "END;";

/* 4: the journal of offline operations, and what the server answered for local UIDs. */
static const char schema_4[] =
  "CREATE TABLE journal ("
  "  seq       INTEGER PRIMARY KEY AUTOINCREMENT,"
  "  kind      INTEGER NOT NULL,"
  "  args      BLOB NOT NULL,"
  "  state     INTEGER NOT NULL DEFAULT 0,"
  "  attempts  INTEGER NOT NULL DEFAULT 0,"
  "  error     TEXT,"
  "  created   INTEGER NOT NULL,"
  "  source_id INTEGER REFERENCES sources (id)"
  ");"
  "CREATE INDEX journal_by_source ON journal (source_id) WHERE source_id IS NOT NULL;"
  "CREATE TRIGGER journal_source_insert AFTER INSERT ON journal WHEN new.source_id IS NOT NULL BEGIN"
  "  UPDATE sources SET refs = refs + 1 WHERE id = new.source_id;"
  "END;"
  "CREATE TRIGGER journal_source_delete AFTER DELETE ON journal WHEN old.source_id IS NOT NULL BEGIN"
  "  UPDATE sources SET refs = refs - 1 WHERE id = old.source_id;"
  "END;"
  /* Local messages are found by their local UID alone when the server's answer maps them */
  "CREATE INDEX messages_local ON messages (uid) WHERE uid < 0;"
  "CREATE TABLE uid_map ("
  "  local_uid INTEGER PRIMARY KEY,"
  "  folder_id INTEGER NOT NULL,"
  "  uid       INTEGER NOT NULL"
  ");"
  "INSERT INTO meta (key, value) VALUES ('next-local-uid', -1);";

/* 5: what the server says of a folder (STATUS MESSAGES and UNSEEN, -1 while unknown), so the
 * sidebar can count folders that are not synced; the List-Id of a message. */
static const char schema_5[] =
  "ALTER TABLE folders ADD COLUMN server_messages INTEGER NOT NULL DEFAULT -1;"
  "ALTER TABLE folders ADD COLUMN server_unseen   INTEGER NOT NULL DEFAULT -1;"
  "ALTER TABLE messages ADD COLUMN list_id TEXT;";

/* 6: the outbox: messages waiting to be sent, with their envelope and raw source
 * (heron-store-outbox.c; docs/smtp.md, "Outbox"). */
static const char schema_6[] =
  "CREATE TABLE outbox ("
  "  id           INTEGER PRIMARY KEY AUTOINCREMENT,"
  "  message_id   TEXT NOT NULL,"
  "  sender       TEXT NOT NULL,"
  "  recipients   TEXT NOT NULL,"
  "  subject      TEXT,"
  "  state        INTEGER NOT NULL DEFAULT 0,"
  "  attempts     INTEGER NOT NULL DEFAULT 0,"
  "  error        TEXT,"
  "  next_attempt INTEGER NOT NULL DEFAULT 0,"
  "  created      INTEGER NOT NULL,"
  "  source_id    INTEGER NOT NULL REFERENCES sources (id)"
  ");"
  "CREATE INDEX outbox_by_source ON outbox (source_id);"
  "CREATE TRIGGER outbox_source_insert AFTER INSERT ON outbox BEGIN"
  "  UPDATE sources SET refs = refs + 1 WHERE id = new.source_id;"
  "END;"
  "CREATE TRIGGER outbox_source_delete AFTER DELETE ON outbox BEGIN"
  "  UPDATE sources SET refs = refs - 1 WHERE id = old.source_id;"
  "END;";

/* 7: the addresses of senders, for completion (heron-store-addresses.c): one row per address
 * (without ASCII case), the name it last came with, how many cached messages carry it and the
 * newest one's date, kept by triggers as messages come and go; filled from the cached ones. */
/* a message enters: its sender counts one more; the newest name wins */
#define ADDRESSES_ENTER \
  "  INSERT INTO addresses (address, name, count, last_date)" \
  "    VALUES (new.from_address, coalesce (new.from_name, ''), 1, coalesce (new.date, 0))" \
  "    ON CONFLICT (address) DO UPDATE SET" \
  "      count = count + 1," \
  "      name = CASE WHEN excluded.name != '' AND (excluded.last_date >= last_date OR name = '')" \
  "                  THEN excluded.name ELSE name END," \
  "      last_date = max (last_date, excluded.last_date);"
static const char schema_7[] =
  "CREATE TABLE addresses ("
  "  address   TEXT NOT NULL PRIMARY KEY COLLATE NOCASE,"
  "  name      TEXT NOT NULL DEFAULT '',"
  "  count     INTEGER NOT NULL DEFAULT 0,"
  "  last_date INTEGER NOT NULL DEFAULT 0"
  ") WITHOUT ROWID;"
  "CREATE INDEX addresses_by_name ON addresses (name COLLATE NOCASE);"
  /* the name of the newest message that has one (a bare column next to max() is that of the
   * row with the maximum in SQLite) */
  "INSERT INTO addresses (address, name, count, last_date)"
  "  SELECT a.address, coalesce (n.name, ''), a.n, a.last_date"
  "    FROM (SELECT from_address AS address, count(*) AS n, max (coalesce (date, 0)) AS last_date"
  "            FROM messages"
  "           WHERE from_address IS NOT NULL AND from_address != ''"
  "           GROUP BY from_address COLLATE NOCASE) AS a"
  "    LEFT JOIN (SELECT from_address AS address, from_name AS name, max (coalesce (date, 0))"
  "                 FROM messages"
  "                WHERE from_address IS NOT NULL AND from_address != ''"
  "                  AND from_name IS NOT NULL AND from_name != ''"
  "                GROUP BY from_address COLLATE NOCASE) AS n"
  "      ON n.address = a.address COLLATE NOCASE;"
  "CREATE TRIGGER addresses_insert AFTER INSERT ON messages"
  "  WHEN new.from_address IS NOT NULL AND new.from_address != '' BEGIN"
  ADDRESSES_ENTER
  "END;"
  "CREATE TRIGGER addresses_delete AFTER DELETE ON messages"
  "  WHEN old.from_address IS NOT NULL AND old.from_address != '' BEGIN"
  "  UPDATE addresses SET count = count - 1 WHERE address = old.from_address;"
  "  DELETE FROM addresses WHERE address = old.from_address AND count <= 0;"
  "END;";

/* 8: the conversations of each folder, for the threaded message list (heron-store-conversations.c):
 * one row per (folder, conversation) with a message in the folder. Its members are the
 * conversation's messages in that folder and in the account's Sent folders (folders.sent), so a
 * reply one sent counts and brings the conversation up; the row says how many there are, how
 * many are unread, and which is the newest (the largest row id: ids follow dates) with its
 * (date, uid, folder), the list's sort key. folders.n_conversations counts the rows.
 *
 * Every change of a message costs a few index lookups, whatever the size of its conversation
 * (messages_by_conversation is (conversation_id, folder_id): a conversation's messages in one
 * folder are a range, and its newest there is the range's last entry): it enters or leaves the
 * counts of the rows it is a member of (its folder's, and for a Sent message every row of its
 * conversation); a row goes when its folder has no message of the conversation left; the newest
 * is looked for again only in the rows whose item was the message that left. A move or a merge
 * is a leave then an enter. Only a folder that becomes or stops being a Sent folder (or a Sent
 * folder deleted) computes its conversations' rows again, once. So the table is always what a
 * GROUP BY over the messages gives.
 *
 * folders.sent is the one idea of "Sent" the index and the threaded list share: the folder the
 * account's configuration names as Sent (meta 'sent-folder', by name or display name: what the
 * client's folder roles use, heron_store_set_sent_folder()), else the folders with special use
 * 6; never INBOX. Triggers keep it as folders and the setting change. */
#define FOLDER_IS_SENT(f) \
  "(" f ".name != 'INBOX' COLLATE NOCASE AND" \
  " CASE WHEN (SELECT value FROM meta WHERE key = 'sent-folder') IS NULL THEN " f ".special_use = 6" \
  " ELSE " f ".name = (SELECT value FROM meta WHERE key = 'sent-folder')" \
  "   OR " f ".display_name = (SELECT value FROM meta WHERE key = 'sent-folder') END)"
/* whether a folder is Sent: a lookup by primary key (no folder: it is being deleted) */
#define FC_SENT(folder) "coalesce ((SELECT sent FROM folders WHERE id = " folder "), 0)"
#define FC_UNREAD(r) "((" r ".flags & 9) = 0)"
/* the rows of (folder, conversation) pairs with a message that matches @cond, computed from the
 * messages; @sent_set: the Sent folders' ids */
#define FOLDER_CONVERSATIONS_FILL(cond, sent_set) \
  "INSERT INTO folder_conversations (folder_id, conversation_id, n_messages, n_unread, date, uid, item_folder, item_id)" \
  "  SELECT folder_id, conversation_id, n, u, date, uid, item_folder, newest FROM" \
  "   (SELECT f.folder_id AS folder_id, f.conversation_id AS conversation_id, count(*) AS n," \
  "           sum ((m.flags & 9) = 0) AS u, max (m.id) AS newest, m.date AS date, m.uid AS uid," \
  "           m.folder_id AS item_folder" \
  "      FROM (SELECT DISTINCT folder_id, conversation_id FROM messages " cond ") AS f" \
  "      JOIN messages m ON m.conversation_id = f.conversation_id" \
  "       AND (m.folder_id = f.folder_id OR m.folder_id IN (" sent_set "))" \
  "     GROUP BY f.folder_id, f.conversation_id);"
#define FOLDER_CONVERSATIONS_RECOMPUTE(set) \
  "  DELETE FROM folder_conversations WHERE conversation_id IN (" set ");" \
  "  " FOLDER_CONVERSATIONS_FILL ("WHERE conversation_id IN (" set ")", "SELECT id FROM folders WHERE sent")
/* the member rows of message @r: its folder's, and when that is a Sent folder, every row of its
 * conversation ("SET ... WHERE" + this) */
#define FC_MEMBER_ROWS(set, r) \
  "  UPDATE folder_conversations SET " set \
  "   WHERE folder_id = " r ".folder_id AND conversation_id = " r ".conversation_id;" \
  "  UPDATE folder_conversations SET " set \
  "   WHERE " FC_SENT (r ".folder_id") " AND conversation_id = " r ".conversation_id" \
  "     AND folder_id != " r ".folder_id;"
/* message @r enters: the counts of its rows, their item when it is newer; its folder's row, when
 * there is none yet (the folder had no other message of the conversation), is made from its
 * members: @r and the conversation's messages in Sent folders, index ranges */
#define FC_ENTER(r) \
  FC_MEMBER_ROWS ("n_messages = n_messages + 1," \
                  " n_unread = n_unread + " FC_UNREAD (r) "," \
                  " date = CASE WHEN " r ".id > item_id THEN " r ".date ELSE date END," \
                  " uid = CASE WHEN " r ".id > item_id THEN " r ".uid ELSE uid END," \
                  " item_folder = CASE WHEN " r ".id > item_id THEN " r ".folder_id ELSE item_folder END," \
                  " item_id = max (item_id, " r ".id)", r) \
  "  INSERT INTO folder_conversations" \
  "      (folder_id, conversation_id, n_messages, n_unread, date, uid, item_folder, item_id)" \
  "    SELECT " r ".folder_id, " r ".conversation_id, a.n, a.u, a.date, a.uid, a.folder_id, a.newest FROM" \
  "     (SELECT count(*) AS n, sum ((m.flags & 9) = 0) AS u, m.date AS date, m.uid AS uid," \
  "             m.folder_id AS folder_id, max (m.id) AS newest" \
  /* (the row's absence is tested first, as the outer loop of a CROSS JOIN: a term of no table \
   * in the WHERE clause of an aggregate is not, and the range of the folder was read every \
   * time, O(conversation) per insert) */ \
  "        FROM (SELECT 1 WHERE NOT EXISTS" \
  "               (SELECT 1 FROM folder_conversations" \
  "                 WHERE folder_id = " r ".folder_id AND conversation_id = " r ".conversation_id)) AS absent" \
  "        CROSS JOIN messages m" \
  /* (two index lookups, MULTI-INDEX OR: the message by its id, the conversation's range with \
   * each member's folder looked up by key; "IN (SELECT id FROM folders WHERE sent)" built a \
   * temporary table at every new conversation, most inserts of a first sync) */ \
  "       WHERE m.id = " r ".id" \
  "          OR (m.conversation_id = " r ".conversation_id" \
  "              AND coalesce ((SELECT sent FROM folders WHERE id = m.folder_id), 0))) AS a" \
  "     WHERE a.n > 0" \
  "    ON CONFLICT (folder_id, conversation_id) DO NOTHING;"
/* the newest member of the row being updated: the last entry of its folder's range and of each
 * Sent folder's range of the conversation */
#define FC_NEWEST \
  "max (coalesce ((SELECT max (id) FROM messages" \
  "                 WHERE conversation_id = folder_conversations.conversation_id" \
  "                   AND folder_id = folder_conversations.folder_id), 0)," \
  "     coalesce ((SELECT max ((SELECT max (id) FROM messages" \
  "                              WHERE conversation_id = folder_conversations.conversation_id" \
  "                                AND folder_id = s.id))" \
  "                  FROM folders s WHERE s.sent), 0))"
/* message @r left (deleted, or its folder or conversation changed: the table holds the new
 * state): the counts of its rows; its folder's row goes when the folder has no message of the
 * conversation left; the rows whose item it was look for their newest again */
#define FC_LEAVE(r) \
  FC_MEMBER_ROWS ("n_messages = n_messages - 1, n_unread = n_unread - " FC_UNREAD (r), r) \
  "  DELETE FROM folder_conversations" \
  "   WHERE folder_id = " r ".folder_id AND conversation_id = " r ".conversation_id" \
  "     AND NOT EXISTS (SELECT 1 FROM messages" \
  "                      WHERE conversation_id = " r ".conversation_id AND folder_id = " r ".folder_id);" \
  "  UPDATE folder_conversations SET (date, uid, item_folder, item_id) =" \
  "      (SELECT m.date, m.uid, m.folder_id, m.id FROM messages m WHERE m.id = " FC_NEWEST ")" \
  "   WHERE conversation_id = " r ".conversation_id AND item_id = " r ".id;"

static const char schema_8[] =
  "CREATE TABLE folder_conversations ("
  "  folder_id       INTEGER NOT NULL,"
  "  conversation_id INTEGER NOT NULL,"
  "  n_messages      INTEGER NOT NULL,"
  "  n_unread        INTEGER NOT NULL,"
  "  date            INTEGER NOT NULL,"
  "  uid             INTEGER NOT NULL,"
  "  item_folder     INTEGER NOT NULL,"
  "  item_id         INTEGER NOT NULL,"
  "  PRIMARY KEY (folder_id, conversation_id)"
  ") WITHOUT ROWID;"
  /* the threaded list: a window in date order, a conversation's position */
  "CREATE INDEX folder_conversations_by_date"
  "  ON folder_conversations (folder_id, date DESC, uid DESC, item_folder DESC);"
  "CREATE INDEX folder_conversations_by_conversation ON folder_conversations (conversation_id);"
  /* a conversation's messages in one folder: a range (its newest, its last entry) */
  "DROP INDEX messages_by_conversation;"
  "CREATE INDEX messages_by_conversation ON messages (conversation_id, folder_id);"
  "ALTER TABLE folders ADD COLUMN n_conversations INTEGER NOT NULL DEFAULT 0;"
  "CREATE TRIGGER folder_conversations_count_insert AFTER INSERT ON folder_conversations BEGIN"
  "  UPDATE folders SET n_conversations = n_conversations + 1 WHERE id = new.folder_id;"
  "END;"
  "CREATE TRIGGER folder_conversations_count_delete AFTER DELETE ON folder_conversations BEGIN"
  "  UPDATE folders SET n_conversations = n_conversations - 1 WHERE id = old.folder_id;"
  "END;"

  /* the Sent folders */
  "ALTER TABLE folders ADD COLUMN sent INTEGER NOT NULL DEFAULT 0;"
  "INSERT INTO meta (key, value) VALUES ('sent-folder', NULL);"
  "UPDATE folders SET sent = " FOLDER_IS_SENT ("folders") ";"
  "CREATE INDEX folders_sent ON folders (id) WHERE sent;"
  "CREATE TRIGGER folders_sent_insert AFTER INSERT ON folders BEGIN"
  "  UPDATE folders SET sent = " FOLDER_IS_SENT ("folders")
  "   WHERE id = new.id AND sent IS NOT " FOLDER_IS_SENT ("folders") ";"
  "END;"
  "CREATE TRIGGER folders_sent_update AFTER UPDATE OF name, display_name, special_use ON folders BEGIN"
  "  UPDATE folders SET sent = " FOLDER_IS_SENT ("folders")
  "   WHERE id = new.id AND sent IS NOT " FOLDER_IS_SENT ("folders") ";"
  "END;"
  "CREATE TRIGGER folders_sent_setting AFTER UPDATE OF value ON meta WHEN new.key = 'sent-folder' BEGIN"
  "  UPDATE folders SET sent = " FOLDER_IS_SENT ("folders") " WHERE sent IS NOT " FOLDER_IS_SENT ("folders") ";"
  "END;"

  FOLDER_CONVERSATIONS_FILL ("", "SELECT id FROM folders WHERE sent")
  "CREATE TRIGGER folder_conversations_insert AFTER INSERT ON messages BEGIN"
  FC_ENTER ("new")
  "END;"
  "CREATE TRIGGER folder_conversations_delete AFTER DELETE ON messages BEGIN"
  FC_LEAVE ("old")
  "END;"
  /* moved to another folder, or to another conversation (a merge): it leaves, then enters */
  "CREATE TRIGGER folder_conversations_move AFTER UPDATE OF folder_id, conversation_id ON messages"
  "  WHEN old.folder_id IS NOT new.folder_id OR old.conversation_id IS NOT new.conversation_id BEGIN"
  FC_LEAVE ("old")
  FC_ENTER ("new")
  "END;"
  /* in place: read or unread (its rows' unread counts), renumbered (a local message getting its
   * server UID) or dated again (the key of the rows it is the item of) */
  "CREATE TRIGGER folder_conversations_update AFTER UPDATE OF uid, date, flags ON messages"
  "  WHEN old.folder_id IS new.folder_id AND old.conversation_id IS new.conversation_id"
  "   AND (old.uid IS NOT new.uid OR old.date IS NOT new.date"
  "        OR " FC_UNREAD ("old") " IS NOT " FC_UNREAD ("new") ") BEGIN"
  FC_MEMBER_ROWS ("n_unread = n_unread + " FC_UNREAD ("new") " - " FC_UNREAD ("old"), "new")
  "  UPDATE folder_conversations SET date = new.date, uid = new.uid"
  "   WHERE conversation_id = new.conversation_id AND item_id = new.id;"
  "END;"
  /* a folder that becomes or stops being a Sent folder changes the members of its conversations */
  "CREATE TRIGGER folder_conversations_sent AFTER UPDATE OF sent ON folders"
  "  WHEN old.sent IS NOT new.sent BEGIN"
  FOLDER_CONVERSATIONS_RECOMPUTE ("SELECT conversation_id FROM messages WHERE folder_id = new.id")
  "END;"
  /* a Sent folder deleted: its messages go by ON DELETE CASCADE once the folder row is gone, when
   * the triggers above no longer see them as Sent; so the other folders' rows of its
   * conversations are computed again without them before (its own rows go with its messages) */
  "CREATE TRIGGER folder_conversations_sent_folder_delete BEFORE DELETE ON folders WHEN old.sent BEGIN"
  "  DELETE FROM folder_conversations WHERE folder_id != old.id"
  "     AND conversation_id IN (SELECT conversation_id FROM messages WHERE folder_id = old.id);"
  "  " FOLDER_CONVERSATIONS_FILL ("WHERE folder_id != old.id"
                                  " AND conversation_id IN (SELECT conversation_id FROM messages WHERE folder_id = old.id)",
                                  "SELECT id FROM folders WHERE sent AND id != old.id")
  "END;";

/* 9: the people one writes to, for completion (heron-store-addresses.c): addresses.sent counts
 * the messages in Sent folders (special use 6) that name the address in To, Cc or Bcc, and the
 * outbox entries that send to it; completion ranks by count + 2 × sent. The address lists are
 * the caller's compact text ("Name <a@b>, c@d"; the outbox's recipients one a line), cut here
 * with json_each() (triggers take no CTE): a piece with <…> gives the address inside and the
 * name before it; a piece without an "@" (part of a name with a comma) is none; a list that
 * does not make valid JSON (a control character) adds nothing rather than failing the insert.
 * Triggers on folders count a Sent folder's recipients out before the folder goes (its messages'
 * cascade no longer sees a Sent folder) and in or out when a folder gains or loses the use. */
#define RCPT_PIECES_JSON(text, sep) \
  "('[\"' || replace (replace (replace (replace (replace (replace (" text ", '\\', '\\\\'), '\"', '\\\"')," \
  " char (9), ' '), char (13), ' '), " sep ", '\",\"'), char (10), ' ') || '\"]')"
#define RCPT_MESSAGE_JSON(row) \
  RCPT_PIECES_JSON ("coalesce (" row ".to_list, '') || ', ' || coalesce (" row ".cc_list, '') || ', ' ||" \
                    " coalesce (" row ".bcc_list, '')", "', '")
#define RCPT_OUTBOX_JSON(row) RCPT_PIECES_JSON ("coalesce (" row ".recipients, '')", "char (10)")
#define RCPT_ADDRESS(v) \
  "CASE WHEN instr (" v ", '<') > 0 AND instr (" v ", '>') > instr (" v ", '<')" \
  " THEN trim (substr (" v ", instr (" v ", '<') + 1, instr (" v ", '>') - instr (" v ", '<') - 1))" \
  " ELSE trim (" v ") END"
#define RCPT_NAME(v) \
  "CASE WHEN instr (" v ", '<') > 1 THEN trim (substr (" v ", 1, instr (" v ", '<') - 1), ' \"') ELSE '' END"
/* (address, name): the distinct recipients of one row, given its JSON */
#define RCPT_OF(json) \
  "SELECT r.a AS address, max (r.n) AS name FROM" \
  " (SELECT " RCPT_ADDRESS ("e.value") " AS a, " RCPT_NAME ("e.value") " AS n" \
  "    FROM (SELECT " json " AS j) AS x," \
  "         json_each (CASE WHEN json_valid (x.j) THEN x.j ELSE '[]' END) AS e) AS r" \
  " WHERE r.a LIKE '%_@_%' GROUP BY r.a COLLATE NOCASE"
/* (a lookup by primary key: "IN (SELECT ...)" would build a temporary table at every insert) */
#define RCPT_IS_SENT(folder) "(coalesce ((SELECT special_use FROM folders WHERE id = " folder "), 0) = 6)"
#define RCPT_ADD(json, date) \
  "  INSERT INTO addresses (address, name, count, last_date, sent)" \
  "    SELECT address, name, 0, " date ", 1 FROM (" RCPT_OF (json) ") WHERE true" \
  "    ON CONFLICT (address) DO UPDATE SET" \
  "      sent = sent + 1," \
  "      name = CASE WHEN excluded.name != '' AND (excluded.last_date >= last_date OR name = '')" \
  "                  THEN excluded.name ELSE name END," \
  "      last_date = max (last_date, excluded.last_date);"
#define RCPT_REMOVE(json) \
  "  UPDATE addresses SET sent = sent - 1 WHERE address IN (SELECT address FROM (" RCPT_OF (json) "));" \
  "  DELETE FROM addresses WHERE count <= 0 AND sent <= 0" \
  "    AND address IN (SELECT address FROM (" RCPT_OF (json) "));"
/* the fill: every recipient of the rows of @from (aliased m), with the number of rows naming it */
#define RCPT_FILL(from, json, date) \
  "INSERT INTO addresses (address, name, count, last_date, sent)" \
  "  SELECT address, name, 0, last_date, n FROM" \
  "   (SELECT r.a AS address, max (r.n) AS name, max (r.d) AS last_date, count (DISTINCT r.id) AS n FROM" \
  "     (SELECT m.id AS id, " date " AS d, " RCPT_ADDRESS ("e.value") " AS a, " RCPT_NAME ("e.value") " AS n" \
  "        FROM " from "," \
  "             json_each (CASE WHEN json_valid (" json ") THEN " json " ELSE '[]' END) AS e) AS r" \
  "     WHERE r.a LIKE '%_@_%' GROUP BY r.a COLLATE NOCASE) WHERE true" \
  "  ON CONFLICT (address) DO UPDATE SET" \
  "    sent = sent + excluded.sent," \
  "    name = CASE WHEN name = '' THEN excluded.name ELSE name END," \
  "    last_date = max (last_date, excluded.last_date);"
/* the opposite: every recipient of the rows of @from counts that many rows less */
#define RCPT_UNFILL(from, json) \
  "UPDATE addresses SET sent = sent - q.n FROM" \
  " (SELECT r.a AS address, count (DISTINCT r.id) AS n FROM" \
  "   (SELECT m.id AS id, " RCPT_ADDRESS ("e.value") " AS a" \
  "      FROM " from "," \
  "           json_each (CASE WHEN json_valid (" json ") THEN " json " ELSE '[]' END) AS e) AS r" \
  "   WHERE r.a LIKE '%_@_%' GROUP BY r.a COLLATE NOCASE) AS q" \
  " WHERE addresses.address = q.address;" \
  "DELETE FROM addresses WHERE count <= 0 AND sent <= 0;"

static const char schema_9[] =
  /* (and the folder a journal entry acts in, by id, which a rename keeps: a move's messages go
   * back there when it is discarded, whatever the folder is called by then) */
  "ALTER TABLE journal ADD COLUMN folder_id INTEGER;"
  "ALTER TABLE addresses ADD COLUMN sent INTEGER NOT NULL DEFAULT 0;"
  /* an address one still writes to stays when the last message from it goes */
  "DROP TRIGGER addresses_delete;"
  "CREATE TRIGGER addresses_delete AFTER DELETE ON messages"
  "  WHEN old.from_address IS NOT NULL AND old.from_address != '' BEGIN"
  "  UPDATE addresses SET count = count - 1 WHERE address = old.from_address;"
  "  DELETE FROM addresses WHERE address = old.from_address AND count <= 0 AND sent <= 0;"
  "END;"
  "CREATE TRIGGER addresses_sent_insert AFTER INSERT ON messages"
  "  WHEN " RCPT_IS_SENT ("new.folder_id") " BEGIN"
  RCPT_ADD (RCPT_MESSAGE_JSON ("new"), "coalesce (new.date, 0)")
  "END;"
  "CREATE TRIGGER addresses_sent_delete AFTER DELETE ON messages"
  "  WHEN " RCPT_IS_SENT ("old.folder_id") " BEGIN"
  RCPT_REMOVE (RCPT_MESSAGE_JSON ("old"))
  "END;"
  /* moved into or out of a Sent folder (a discarded move puts a message back) */
  "CREATE TRIGGER addresses_sent_move_in AFTER UPDATE OF folder_id ON messages"
  "  WHEN " RCPT_IS_SENT ("new.folder_id") " AND NOT " RCPT_IS_SENT ("old.folder_id") " BEGIN"
  RCPT_ADD (RCPT_MESSAGE_JSON ("new"), "coalesce (new.date, 0)")
  "END;"
  "CREATE TRIGGER addresses_sent_move_out AFTER UPDATE OF folder_id ON messages"
  "  WHEN " RCPT_IS_SENT ("old.folder_id") " AND NOT " RCPT_IS_SENT ("new.folder_id") " BEGIN"
  RCPT_REMOVE (RCPT_MESSAGE_JSON ("old"))
  "END;"
  /* a Sent folder that goes takes its messages along (ON DELETE CASCADE), but the cascade runs
   * once the folder row is gone, when the triggers above no longer see a Sent folder: its
   * recipients are counted out before */
  "CREATE TRIGGER addresses_sent_folder_delete BEFORE DELETE ON folders"
  "  WHEN old.special_use = 6 BEGIN "
  RCPT_UNFILL ("(SELECT * FROM messages WHERE folder_id = old.id) AS m", RCPT_MESSAGE_JSON ("m"))
  "END;"
  /* a folder that becomes or stops being a Sent folder (step 8 does the same for conversations) */
  "CREATE TRIGGER addresses_sent_folder_gained AFTER UPDATE OF special_use ON folders"
  "  WHEN new.special_use = 6 AND old.special_use != 6 BEGIN "
  RCPT_FILL ("(SELECT * FROM messages WHERE folder_id = new.id) AS m", RCPT_MESSAGE_JSON ("m"),
             "coalesce (m.date, 0)")
  "END;"
  "CREATE TRIGGER addresses_sent_folder_lost AFTER UPDATE OF special_use ON folders"
  "  WHEN old.special_use = 6 AND new.special_use != 6 BEGIN "
  RCPT_UNFILL ("(SELECT * FROM messages WHERE folder_id = new.id) AS m", RCPT_MESSAGE_JSON ("m"))
  "END;"
  "CREATE TRIGGER addresses_outbox_insert AFTER INSERT ON outbox BEGIN"
  RCPT_ADD (RCPT_OUTBOX_JSON ("new"), "new.created")
  "END;"
  "CREATE TRIGGER addresses_outbox_delete AFTER DELETE ON outbox BEGIN"
  RCPT_REMOVE (RCPT_OUTBOX_JSON ("old"))
  "END;"
  RCPT_FILL ("(SELECT * FROM messages WHERE " RCPT_IS_SENT ("folder_id") ") AS m", RCPT_MESSAGE_JSON ("m"),
             "coalesce (m.date, 0)")
  RCPT_FILL ("outbox AS m", RCPT_OUTBOX_JSON ("m"), "m.created");

/* Messages that arrived before step 2 get their conversations in arrival order. */
static gboolean
fill_conversations (HeronStore *self,
                    GError    **error)
{
  g_autoptr (GArray) rows = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr (GPtrArray) texts = g_ptr_array_new_with_free_func (g_free);
  sqlite3_stmt *stmt;
  int rc;

  /* Not a cached statement: migrations run once */
  rc = sqlite3_prepare_v2 (self->db.handle,
                           "SELECT id, message_id, in_reply_to, references_list FROM messages ORDER BY id",
                           -1, &stmt, NULL);
  if (rc != SQLITE_OK)
    {
      _heron_store_db_set_error (&self->db, rc, error);
      return FALSE;
    }
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      gint64 id = sqlite3_column_int64 (stmt, 0);

      g_array_append_val (rows, id);
      for (int i = 1; i <= 3; i++)
        g_ptr_array_add (texts, _heron_store_column_dup (stmt, i));
    }
  sqlite3_finalize (stmt);
  if (rc != SQLITE_DONE)
    {
      _heron_store_db_set_error (&self->db, rc, error);
      return FALSE;
    }

  for (guint i = 0; i < rows->len; i++)
    if (!_heron_store_thread_message (self, g_array_index (rows, gint64, i),
                                      texts->pdata[3 * i], texts->pdata[3 * i + 1],
                                      texts->pdata[3 * i + 2], error))
      return FALSE;
  return TRUE;
}

/* Rows written before step 3 get date-ordered ids and their search entries. */
static gboolean
fill_search (HeronStore *self,
             GError    **error)
{
  g_autoptr (GArray) ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr (GArray) dates = g_array_new (FALSE, FALSE, sizeof (gint64));
  sqlite3_stmt *stmt;
  int rc;

  rc = sqlite3_prepare_v2 (self->db.handle, "SELECT id, date FROM messages ORDER BY id", -1, &stmt, NULL);
  if (rc != SQLITE_OK)
    {
      _heron_store_db_set_error (&self->db, rc, error);
      return FALSE;
    }
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      gint64 id = sqlite3_column_int64 (stmt, 0), date = sqlite3_column_int64 (stmt, 1);

      g_array_append_val (ids, id);
      g_array_append_val (dates, date);
    }
  sqlite3_finalize (stmt);
  if (rc != SQLITE_DONE)
    {
      _heron_store_db_set_error (&self->db, rc, error);
      return FALSE;
    }

  for (guint i = 0; i < ids->len; i++)
    {
      gint64 key = _heron_store_row_key (self, g_array_index (dates, gint64, i), error);
      g_autoptr (HeronStoreStmt) rekey = NULL;

      if (key == 0)
        return FALSE;
      rekey = _heron_store_db_prepare (&self->db, "UPDATE messages SET id = ? WHERE id = ?", error);
      if (rekey == NULL)
        return FALSE;
      sqlite3_bind_int64 (rekey, 1, key);
      sqlite3_bind_int64 (rekey, 2, g_array_index (ids, gint64, i));
      if (!_heron_store_db_run (&self->db, rekey, error))
        return FALSE;
    }

  return _heron_store_db_exec (&self->db,
                               "INSERT INTO message_fts (rowid, sender, recipients, subject)"
                               "  SELECT id,"
                               "         coalesce (from_name, '') || ' ' || coalesce (from_address, '') || ' ' ||"
                               "         coalesce (sender, '') || ' ' || coalesce (reply_to, ''),"
                               "         coalesce (to_list, '') || ' ' || coalesce (cc_list, '') || ' ' || coalesce (bcc_list, ''),"
                               "         coalesce (subject, '')"
                               "    FROM messages",
                               error);
}

/* 10: search entries made later. A first sync's extra writer (heron_store_set_search_deferred())
 * marks the summaries it stores instead of indexing them; the worker indexes marked rows in the
 * background (heron_store_index_pending_search()), newest first. */
static const char schema_10[] =
  "ALTER TABLE messages ADD COLUMN search_pending INTEGER NOT NULL DEFAULT 0;"
  "CREATE INDEX messages_search_pending ON messages (id) WHERE search_pending;";

/* 11: inserts in bulk. A first sync's extra writer (heron_store_set_bulk_insert()) marks the rows
 * it inserts into a folder that is not a Sent folder; the per-row triggers of the sender's
 * address and of the folder's conversations skip marked rows, and the writer does their work
 * once per batch, in the same transaction (_heron_store_bulk_statements below): a third of the
 * cost of an insert. The mark only matters to these insert triggers. */
static const char schema_11[] =
  "ALTER TABLE messages ADD COLUMN bulk INTEGER NOT NULL DEFAULT 0;"
  "DROP TRIGGER addresses_insert;"
  "CREATE TRIGGER addresses_insert AFTER INSERT ON messages"
  "  WHEN NOT new.bulk AND new.from_address IS NOT NULL AND new.from_address != '' BEGIN"
  ADDRESSES_ENTER
  "END;"
  "DROP TRIGGER addresses_sent_insert;"
  "CREATE TRIGGER addresses_sent_insert AFTER INSERT ON messages"
  "  WHEN NOT new.bulk AND " RCPT_IS_SENT ("new.folder_id") " BEGIN"
  RCPT_ADD (RCPT_MESSAGE_JSON ("new"), "coalesce (new.date, 0)")
  "END;"
  "DROP TRIGGER folder_conversations_insert;"
  "CREATE TRIGGER folder_conversations_insert AFTER INSERT ON messages WHEN NOT new.bulk BEGIN"
  FC_ENTER ("new")
  "END;";

/* The rows of a batch: ?1 is the JSON array of their ids. */
#define BULK_ROWS "json_each (?1) AS j JOIN messages m ON m.id = j.value"
#define BULK_CONVERSATIONS "SELECT m.conversation_id FROM " BULK_ROWS

/* What the skipped triggers do, for the whole batch, in this order. */
const char * const _heron_store_bulk_statements[] = {
  /* every sender counts its messages, with the name and letter case per-row inserts leave:
   * its first message makes a new address; a message with a name then takes over when it is
   * not older than every message before it (the address's date included) or when the address
   * has no name yet (addresses_insert). Per message in insert order (the array's order): the
   * newest date before it and whether a named one came before, by window functions; the last
   * message that takes over gives the name. */
  "WITH b AS (SELECT j.key AS k, m.from_address AS a, coalesce (m.from_name, '') AS n, m.date AS d"
  "             FROM " BULK_ROWS
  "            WHERE m.from_address IS NOT NULL AND m.from_address != ''),"
  "     w AS (SELECT k, a, n, d, first_value (a) OVER sender AS spelling,"
  "                  max (d) OVER before AS prev_max, coalesce (sum (n != '') OVER before, 0) AS prev_named"
  "             FROM b"
  "           WINDOW sender AS (PARTITION BY a COLLATE NOCASE ORDER BY k),"
  "                  before AS (PARTITION BY a COLLATE NOCASE ORDER BY k"
  "                             ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING)),"
  "     q AS (SELECT w.k, w.a, w.n, w.d, w.spelling, e.name AS old_name,"
  "                  (w.n != '' AND (w.d >= max (coalesce (e.last_date, w.d), coalesce (w.prev_max, w.d))"
  "                                  OR (coalesce (e.name, '') = '' AND w.prev_named = 0))) AS wins"
  "             FROM w LEFT JOIN addresses e ON e.address = w.a),"
  "     r AS (SELECT q.*, max (CASE WHEN wins THEN k END) OVER (PARTITION BY a COLLATE NOCASE) AS last_win"
  "             FROM q)"
  "INSERT INTO addresses (address, name, count, last_date)"
  "  SELECT spelling, coalesce (max (CASE WHEN k = last_win THEN n END), old_name, ''), count (*), max (d)"
  "    FROM r GROUP BY a COLLATE NOCASE"
  "  ON CONFLICT (address) DO UPDATE SET"
  "    name = excluded.name,"
  "    count = count + excluded.count,"
  "    last_date = max (last_date, excluded.last_date)",
  /* the conversations the batch joins, every folder's row of them made again from its members */
  "DELETE FROM folder_conversations WHERE conversation_id IN (" BULK_CONVERSATIONS ")",
  FOLDER_CONVERSATIONS_FILL ("WHERE conversation_id IN (" BULK_CONVERSATIONS ")",
                             "SELECT id FROM folders WHERE sent"),
  NULL
};

static const HeronStoreMigration migrations[] = {
  { 1, "folders, messages and raw sources", schema_1, NULL },
  { 2, "conversations", schema_2, fill_conversations },
  { 3, "full-text index", schema_3, fill_search },
  { 4, "journal of offline operations", schema_4, NULL },
  { 5, "server counts of folders, List-Id", schema_5, NULL },
  { 6, "outbox", schema_6, NULL },
  { 7, "addresses for completion", schema_7, NULL },
  { 8, "conversations of each folder", schema_8, NULL },
  { 9, "recipients of sent mail for completion, folders of journal entries", schema_9, NULL },
  { 10, "search entries made later", schema_10, NULL },
  { 11, "inserts in bulk", schema_11, NULL },
};

G_STATIC_ASSERT (G_N_ELEMENTS (migrations) == HERON_STORE_SCHEMA_VERSION);

gboolean
_heron_store_schema_migrate (HeronStore *self,
                             int         target,
                             GError    **error)
{
  gint64 version;

  g_assert (target >= 0 && target <= HERON_STORE_SCHEMA_VERSION);

  version = _heron_store_db_query_int (&self->db, "PRAGMA user_version", -1, error);
  if (version < 0)
    return FALSE;
  if (version > HERON_STORE_SCHEMA_VERSION)
    {
      g_set_error (error, HERON_STORE_ERROR, HERON_STORE_ERROR_TOO_NEW,
                   "The mail cache %s was written by a newer version of Heron (schema %" G_GINT64_FORMAT
                   ", this version knows %d); use that version, or delete the cache to fetch the mail again",
                   self->db.path, version, HERON_STORE_SCHEMA_VERSION);
      return FALSE;
    }

  for (guint i = 0; i < G_N_ELEMENTS (migrations); i++)
    {
      const HeronStoreMigration *step = &migrations[i];
      g_autofree char *set_version = NULL;

      g_assert (step->version == (int) i + 1);
      if (step->version <= version || step->version > target)
        continue;

      g_debug ("Migrating %s to schema %d (%s)", self->db.path, step->version, step->name);
      set_version = g_strdup_printf ("PRAGMA user_version = %d", step->version);
      if (!_heron_store_begin (self, error))
        return FALSE;
      if (!_heron_store_db_exec (&self->db, step->sql, error) ||
          (step->fill != NULL && !step->fill (self, error)) ||
          !_heron_store_db_exec (&self->db, set_version, error))
        {
          _heron_store_rollback (self);
          g_prefix_error (error, "Upgrading to schema %d: ", step->version);
          return FALSE;
        }
      if (!_heron_store_commit (self, error))
        return FALSE;
    }

  return TRUE;
}
