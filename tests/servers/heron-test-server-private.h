/* heron-test-server-private.h: what the files of tests/servers/ share.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <sys/types.h>

#include "heron-test-server.h"

G_BEGIN_DECLS

/* Two Dovecot instances share the configuration text, the users and the mail: "core" serves
 * LMTP and the SASL listener for Postfix and answers doveadm's user lookups, "imap" serves the
 * IMAP listeners. So IMAP can go down while mail still arrives and the helpers still work. */
typedef enum {
  HERON_DOVECOT_CORE,
  HERON_DOVECOT_IMAP,
  HERON_N_DOVECOTS
} HeronDovecotRole;

typedef struct {
  const char  *name;         /* "core", "imap" */
  char        *conf;
  GSubprocess *process;
} HeronDovecot;

/* heron-test-server-oauth.c: the token introspection endpoint of Dovecot's oauth2 passdb */
typedef struct _HeronTestOAuth HeronTestOAuth;

typedef struct {
  char *address;   /* alice@example.test */
  char *password;
  char *home;      /* <dir>/mail/example.test/alice, owned by the mail uid */
} HeronTestUser;

struct _HeronTestServer {
  HeronTestServerFlags flags;
  char        *dir;
  char        *instance;      /* a random token in greetings and the Dovecot instance name */
  gboolean     keep_dir;

  /* Who owns the mail: nobody/nogroup as root, the invoking user otherwise. */
  gboolean     as_root;
  uid_t        mail_uid;
  gid_t        mail_gid;
  char        *run_user;      /* default_internal_user / default_login_user when not root */

  guint16      imap_port;
  guint16      imaps_port;
  guint16      lmtp_port;
  guint16      auth_port;
  guint16      smtp_port;
  guint16      smtps_port;

  char        *cert_file;
  char        *key_file;
  GTlsCertificate *certificate;

  GPtrArray   *users;         /* HeronTestUser*, the default user first */
  char        *users_file;    /* Dovecot passwd-file */

  char        *dovecot_program;
  char        *doveadm_program;
  char        *dovecot_log;   /* both instances log here */
  HeronDovecot dovecot[HERON_N_DOVECOTS];

  char        *postfix_master;
  char        *postfix_conf_dir;
  char        *postfix_queue_dir;
  char        *postfix_data_dir;
  char        *postfix_mailboxes;   /* texthash map of the accepted recipients */
  char        *postfix_log;
  GSubprocess *postfix;

  GSubprocess *guardian;
  int          guardian_fd;   /* our end of the socket the guardian watches */

  HeronTestOAuth *oauth;      /* the introspection endpoint (its own thread) */
  char        *oauth_conf;    /* dovecot/oauth2.conf.ext, the oauth2 passdb's settings */
};

/* heron-test-server-process.c */
gboolean     _heron_test_server_guardian_start (HeronTestServer     *self,
                                                GError             **error);
void         _heron_test_server_guardian_stop  (HeronTestServer     *self);
GSubprocess *_heron_test_server_spawn          (HeronTestServer     *self,
                                                const char * const  *argv,
                                                const char          *log_path,
                                                gboolean             new_group,
                                                GError             **error);
void         _heron_test_server_kill           (HeronTestServer     *self,
                                                GSubprocess        **process);
gboolean     _heron_test_server_is_alive       (GSubprocess         *process);
gboolean     _heron_test_server_run            (const char * const  *argv,
                                                GBytes              *input,
                                                char               **out_stdout,
                                                GError             **error);
gboolean     _heron_test_server_pick_ports     (guint16             *ports,
                                                guint                n_ports,
                                                GError             **error);
gboolean     _heron_test_server_port_is_free   (guint16              port);
char        *_heron_test_server_describe_exit  (GSubprocess         *process);
gboolean     _heron_test_server_read_banner    (guint16              port,
                                                char               **out_line,
                                                GError             **error);
goffset      _heron_test_server_file_size      (const char          *path);
char        *_heron_test_server_tail_file      (const char          *path,
                                                goffset              from,
                                                gsize                max_bytes);
gboolean     _heron_test_server_chown_tree     (const char          *path,
                                                uid_t                uid,
                                                gid_t                gid,
                                                GError             **error);
gboolean     _heron_test_server_remove_tree    (const char          *path,
                                                GError             **error);

/* heron-test-server-config.c */
char        *_heron_test_server_dovecot_conf   (HeronTestServer     *self,
                                                HeronDovecotRole     role);
char        *_heron_test_server_postfix_main   (HeronTestServer     *self);
char        *_heron_test_server_postfix_master (HeronTestServer     *self);
gboolean     _heron_test_server_write_users    (HeronTestServer     *self,
                                                GError             **error);
gboolean     _heron_test_server_backdate       (const char          *path,
                                                GError             **error);
gboolean     _heron_test_server_prepare_postfix_dirs (HeronTestServer *self,
                                                      GError         **error);

/* heron-test-server-oauth.c */
gboolean     _heron_test_server_oauth_start    (HeronTestServer     *self,
                                                GError             **error);
void         _heron_test_server_oauth_stop     (HeronTestServer     *self);
char        *_heron_test_server_oauth_conf     (HeronTestServer     *self);

/* heron-test-server-mail.c */
HeronTestUser *_heron_test_server_find_user    (HeronTestServer     *self,
                                                const char          *address);

G_END_DECLS
