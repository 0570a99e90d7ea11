/* sync-test-util.h: helpers shared by the tests of backend/sync
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * One Dovecot (tests/servers) serves a whole test program; each test has a user of its own and
 * a SyncTestFixture: an account worker on a cache in the program's temporary directory, and
 * every event the worker posted.
 */

#pragma once

#include "heron-test-server.h"
#include "account/heron-account-config.h"
#include "store/heron-store.h"
#include "sync/heron-account-worker.h"

G_BEGIN_DECLS

/* How long a test waits for the worker, the server or an event unless it says otherwise. */
#define SYNC_TEST_WAIT_MS 60000

typedef struct {
  HeronTestServer    *server;         /* not owned; NULL in a child process */
  HeronAccountWorker *worker;
  char               *user;
  char               *password;
  char               *store_path;
  GPtrArray          *events;         /* HeronSyncEvent */
  /* 0, or: every wait also looks again this often (for checks of things outside the main
   * loop: the journal in the cache, the server) */
  guint               poll_ms;
  /* the states compared are "uid flags | subject" lines instead of "uid flags" */
  gboolean            with_subjects;
} SyncTestFixture;

typedef gboolean (*SyncTestCheck) (SyncTestFixture *fixture,
                                   gconstpointer    data);

/* The program: the server with every user added up front (Dovecot notices a changed
 * passwd-file by its mtime, which has a resolution of a second, so users added one by one
 * between logins would go unseen); fails the program if it does not start. */
HeronTestServer    *sync_test_server_new           (HeronTestServerFlags  flags,
                                                    const char * const   *users);
/* Adds name@HERON_TEST_SERVER_DOMAIN. */
void                sync_test_add_user             (HeronTestServer      *server,
                                                    const char           *name);
char               *sync_test_tmpdir_new           (const char           *template);
/* Runs the tests (g_test_run()), then frees the server, removes the directory and frees its
 * name. */
int                 sync_test_run                  (HeronTestServer      *server,
                                                    char                 *tmpdir);

/* The fixture of user name@HERON_TEST_SERVER_DOMAIN, its cache at tmpdir/name/cache.db; no
 * worker yet. */
void                sync_test_fixture_init         (SyncTestFixture      *fixture,
                                                    HeronTestServer      *server,
                                                    const char           *tmpdir,
                                                    const char           *name);
/* A worker for config and options, recording its events, started. */
void                sync_test_fixture_start        (SyncTestFixture                 *fixture,
                                                    HeronAccountConfig              *config,
                                                    const HeronAccountWorkerOptions *options);
/* The same with a worker made by the caller (the fixture takes it). */
void                sync_test_fixture_start_worker (SyncTestFixture      *fixture,
                                                    HeronAccountWorker   *worker);
/* Stops the worker, takes the events on their way, and drops it. */
void                sync_test_fixture_stop         (SyncTestFixture      *fixture);
void                sync_test_fixture_clear        (SyncTestFixture      *fixture);

/* host, port, STARTTLS, password authentication, user, and the harness's self-signed
 * certificate pinned as a person would accept it. */
void                sync_test_set_server           (HeronAccountServer   *account_server,
                                                    const char           *host,
                                                    guint16               port,
                                                    const char           *ca_file,
                                                    const char           *user);
/* An account with that IMAP server. */
HeronAccountConfig *sync_test_config_new           (const char           *host,
                                                    guint16               imap_port,
                                                    const char           *ca_file,
                                                    const char           *user);
/* An account on the fixture's server, as the fixture's user. */
HeronAccountConfig *sync_test_fixture_config       (SyncTestFixture      *fixture);
/* Defaults, the cache and the password, quick reconnects (200 ms, up to 1 s) and a
 * 20 s read timeout. */
void                sync_test_options_init         (HeronAccountWorkerOptions *options,
                                                    const char                *store_path,
                                                    const char                *password);

/* Waiting: the main context is iterated until check() holds; after timeout_ms the program
 * fails, naming what it waited for. */
gboolean            sync_test_on_timeout           (gpointer              user_data);
void                sync_test_wait_for             (SyncTestCheck         check,
                                                    SyncTestFixture      *fixture,
                                                    gconstpointer         data,
                                                    guint                 timeout_ms,
                                                    const char           *what);
/* Until the worker is in that state. */
void                sync_test_wait_state           (SyncTestFixture      *fixture,
                                                    HeronSyncState        state,
                                                    guint                 timeout_ms,
                                                    const char           *what);

/* An event of this kind at or after index after of fixture->events; folder and message_id
 * NULL: any; a STATE event must carry state. */
typedef struct {
  HeronSyncEventKind  kind;
  const char         *folder;
  guint               after;
  const char         *message_id;
  HeronSyncState      state;
} SyncTestEventWait;

/* The index of the first such event, or -1. */
gint                sync_test_find_event           (SyncTestFixture         *fixture,
                                                    const SyncTestEventWait *wait);
HeronSyncEvent     *sync_test_wait_event_full      (SyncTestFixture         *fixture,
                                                    const SyncTestEventWait *wait,
                                                    guint                    timeout_ms);
HeronSyncEvent     *sync_test_wait_event           (SyncTestFixture      *fixture,
                                                    HeronSyncEventKind    kind,
                                                    const char           *folder,
                                                    guint                 after,
                                                    guint                 timeout_ms);
/* A STATE event with that state after a mark: states can pass quickly (OFFLINE, CONNECTING,
 * OFFLINE ...). */
HeronSyncEvent     *sync_test_wait_state_event     (SyncTestFixture      *fixture,
                                                    HeronSyncState        state,
                                                    guint                 after,
                                                    guint                 timeout_ms);

/* An _async call of the worker: sync_test_on_done() as its callback, the Wait as its data. */
typedef struct {
  gboolean      done;
  GAsyncResult *result;
  gint64        when;   /* g_get_monotonic_time() at completion */
} SyncTestWait;

void                sync_test_on_done              (GObject              *source,
                                                    GAsyncResult         *result,
                                                    gpointer              user_data);
/* Until the call completed (SYNC_TEST_WAIT_MS). */
void                sync_test_await                (SyncTestFixture      *fixture,
                                                    SyncTestWait         *wait,
                                                    const char           *what);
void                sync_test_sync_folder          (SyncTestFixture      *fixture,
                                                    const char           *folder);
void                sync_test_sync_folders         (SyncTestFixture      *fixture);
void                sync_test_set_flags            (SyncTestFixture      *fixture,
                                                    const char           *folder,
                                                    gint64                uid,
                                                    guint                 add,
                                                    guint                 remove);

/* Delivers a short message from Bob to the fixture's user; extra_headers (may be NULL) go
 * after its Message-ID. Returns its UID. */
guint32             sync_test_deliver              (SyncTestFixture      *fixture,
                                                    const char           *mailbox,
                                                    const char           *subject,
                                                    const char           *extra_headers);

/* The server and the cache compared: "uid flags" lines (or "uid flags | subject", see
 * with_subjects), by UID, flags sorted, without \Recent: the same text for equal states. */
gint                sync_test_compare_strings      (gconstpointer         a,
                                                    gconstpointer         b);
/* The id of the folder in the cache, or 0. */
gint64              sync_test_store_folder_id      (HeronStoreReader     *reader,
                                                    const char           *name);
/* The folder's messages in the cache (it must be there). */
GPtrArray          *sync_test_store_rows           (SyncTestFixture      *fixture,
                                                    const char           *folder);
char               *sync_test_server_state         (SyncTestFixture      *fixture,
                                                    const char           *mailbox);
char               *sync_test_store_state          (SyncTestFixture      *fixture,
                                                    const char           *folder);
void                sync_test_assert_store_equals_server (SyncTestFixture *fixture,
                                                          const char      *folder);

G_END_DECLS
