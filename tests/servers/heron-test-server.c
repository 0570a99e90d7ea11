/* heron-test-server.c: starting, stopping and cleaning up the private Dovecot and Postfix.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "heron-test-server-private.h"

#include <errno.h>
#include <pwd.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gstdio.h>

#define START_TIMEOUT_USEC (10 * G_USEC_PER_SEC)
#define PORT_ATTEMPTS 5

G_DEFINE_QUARK (heron-test-server-error-quark, heron_test_server_error)

static char *
random_string (guint       length,
               const char *alphabet)
{
  g_autoptr(GRand) rand = g_rand_new ();  /* seeded from /dev/urandom */
  gsize n = strlen (alphabet);
  char *s = g_new (char, length + 1);

  for (guint i = 0; i < length; i++)
    s[i] = alphabet[g_rand_int_range (rand, 0, (gint32) n)];
  s[length] = '\0';
  return s;
}

static char *
find_program (const char         *name,
              const char * const *fallbacks)
{
  char *path = g_find_program_in_path (name);

  for (guint i = 0; path == NULL && fallbacks != NULL && fallbacks[i] != NULL; i++)
    if (g_file_test (fallbacks[i], G_FILE_TEST_IS_EXECUTABLE))
      path = g_strdup (fallbacks[i]);
  return path;
}

static gboolean
find_programs (HeronTestServer  *self,
               GError          **error)
{
  static const char * const dovecot_paths[] = { "/usr/sbin/dovecot", "/usr/local/sbin/dovecot", NULL };
  static const char * const doveadm_paths[] = { "/usr/bin/doveadm", "/usr/local/bin/doveadm", NULL };
  static const char * const master_paths[] = {
    "/usr/lib/postfix/sbin/master",   /* Debian, Ubuntu */
    "/usr/libexec/postfix/master",    /* Fedora, Arch */
    "/usr/lib/postfix/master",        /* openSUSE */
    NULL
  };

  self->dovecot_program = find_program ("dovecot", dovecot_paths);
  self->doveadm_program = find_program ("doveadm", doveadm_paths);
  if (self->dovecot_program == NULL || self->doveadm_program == NULL)
    {
      g_set_error (error, HERON_TEST_SERVER_ERROR, HERON_TEST_SERVER_ERROR_NOT_INSTALLED,
                   "Dovecot is not installed (no dovecot or doveadm program); "
                   "build-aux/setup-deps installs dovecot-core, dovecot-imapd and dovecot-lmtpd");
      return FALSE;
    }

  if (!(self->flags & HERON_TEST_SERVER_FLAGS_NO_SMTP))
    {
      /* The master daemon, started directly: "postfix start" would run the slow checks of
       * postfix-script, and "postfix -c" refuses directories not listed in /etc/postfix. */
      for (guint i = 0; self->postfix_master == NULL && master_paths[i] != NULL; i++)
        if (g_file_test (master_paths[i], G_FILE_TEST_IS_EXECUTABLE))
          self->postfix_master = g_strdup (master_paths[i]);
      if (self->postfix_master == NULL)
        {
          g_set_error (error, HERON_TEST_SERVER_ERROR, HERON_TEST_SERVER_ERROR_NOT_INSTALLED,
                       "Postfix is not installed (no master daemon found); "
                       "build-aux/setup-deps installs it");
          return FALSE;
        }
    }
  return TRUE;
}

static gboolean
make_certificate (HeronTestServer  *self,
                  GError          **error)
{
  static const char * const openssl_paths[] = { "/usr/bin/openssl", NULL };
  g_autofree char *openssl = find_program ("openssl", openssl_paths);
  g_autofree char *subj = NULL;

  if (openssl == NULL)
    {
      g_set_error (error, HERON_TEST_SERVER_ERROR, HERON_TEST_SERVER_ERROR_NOT_INSTALLED,
                   "openssl is not installed; build-aux/setup-deps installs it");
      return FALSE;
    }

  subj = g_strdup_printf ("/CN=localhost/O=Heron test server %s", self->instance);
  {
    const char * const argv[] = {
      openssl, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
      "-nodes", "-days", "30", "-subj", subj,
      "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost",
      "-keyout", self->key_file, "-out", self->cert_file, NULL
    };
    if (!_heron_test_server_run (argv, NULL, NULL, error))
      return FALSE;
  }

  /* The key is read by the servers while still root; the certificate is public. */
  if (g_chmod (self->key_file, 0600) != 0 || g_chmod (self->cert_file, 0644) != 0)
    {
      int saved_errno = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   "Cannot set the mode of the certificate files: %s", g_strerror (saved_errno));
      return FALSE;
    }

  self->certificate = g_tls_certificate_new_from_file (self->cert_file, error);
  return self->certificate != NULL;
}

static gboolean
make_dir (const char  *path,
          int          mode,
          GError     **error)
{
  if (g_mkdir_with_parents (path, mode) != 0 || g_chmod (path, mode) != 0)
    {
      int saved_errno = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   "Cannot create %s: %s", path, g_strerror (saved_errno));
      return FALSE;
    }
  return TRUE;
}

static gboolean
log_says_address_in_use (const char *log_path,
                         goffset     from)
{
  g_autofree char *tail = _heron_test_server_tail_file (log_path, from, 64 * 1024);
  return strstr (tail, "Address already in use") != NULL;
}

static void
set_start_error (GError     **error,
                 const char  *what,
                 const char  *reason,
                 const char  *log_path,
                 goffset      log_from)
{
  g_autofree char *tail = _heron_test_server_tail_file (log_path, log_from, 4096);

  g_set_error (error, HERON_TEST_SERVER_ERROR, HERON_TEST_SERVER_ERROR_START,
               "%s did not start: %s\n--- %s ---\n%s", what, reason, log_path,
               *tail != '\0' ? tail : "(empty)\n");
}

/* Starts one Dovecot instance with its current configuration and waits for its greeting (IMAP
 * for "imap", LMTP for "core"). */
static gboolean
start_dovecot (HeronTestServer   *self,
               HeronDovecotRole   role,
               gboolean          *out_port_taken,
               GError           **error)
{
  HeronDovecot *dovecot = &self->dovecot[role];
  g_autofree char *pid_file = g_build_filename (self->dir, "dovecot", dovecot->name, "master.pid",
                                                NULL);
  g_autofree char *expected = g_strdup_printf ("Heron test Dovecot %s %s ready.",
                                               dovecot->name, self->instance);
  g_autofree char *what = g_strdup_printf ("Dovecot (%s)", dovecot->name);
  const char * const argv[] = { self->dovecot_program, "-F", "-c", dovecot->conf, NULL };
  guint16 port = role == HERON_DOVECOT_IMAP ? self->imap_port : self->lmtp_port;
  goffset log_from = _heron_test_server_file_size (self->dovecot_log);
  gint64 deadline;

  *out_port_taken = FALSE;
  g_assert (dovecot->process == NULL);

  /* A killed master leaves its pid file; if that number now belongs to another process,
   * Dovecot would refuse to start. */
  g_unlink (pid_file);

  dovecot->process = _heron_test_server_spawn (self, argv, self->dovecot_log, TRUE, error);
  if (dovecot->process == NULL)
    return FALSE;

  deadline = g_get_monotonic_time () + START_TIMEOUT_USEC;
  for (;;)
    {
      g_autofree char *banner = NULL;
      g_autoptr(GError) local_error = NULL;

      if (!_heron_test_server_is_alive (dovecot->process))
        {
          g_autofree char *reason = _heron_test_server_describe_exit (dovecot->process);
          guint16 other_port = role == HERON_DOVECOT_IMAP ? self->imaps_port : self->auth_port;

          *out_port_taken = log_says_address_in_use (self->dovecot_log, log_from) ||
                            !_heron_test_server_port_is_free (port) ||
                            !_heron_test_server_port_is_free (other_port);
          g_clear_object (&dovecot->process);
          set_start_error (error, what, reason, self->dovecot_log, log_from);
          return FALSE;
        }

      if (_heron_test_server_read_banner (port, &banner, &local_error))
        {
          if (strstr (banner, expected) != NULL)
            return TRUE;
          /* Someone else answers on our port. */
          *out_port_taken = TRUE;
          _heron_test_server_kill (self, &dovecot->process);
          set_start_error (error, what, "another server answers on its port",
                           self->dovecot_log, log_from);
          return FALSE;
        }

      if (g_get_monotonic_time () > deadline)
        {
          _heron_test_server_kill (self, &dovecot->process);
          set_start_error (error, what, "no greeting within 10 s", self->dovecot_log, log_from);
          return FALSE;
        }
      g_usleep (2000);
    }
}

static gboolean
write_oauth_conf (HeronTestServer  *self,
                  GError          **error)
{
  g_autofree char *conf = _heron_test_server_oauth_conf (self);

  /* Read by the auth processes, which run as root or as the invoking user; no secret in it. */
  return g_file_set_contents_full (self->oauth_conf, conf, -1, G_FILE_SET_CONTENTS_NONE, 0644, error);
}

static gboolean
write_dovecot_conf (HeronTestServer   *self,
                    HeronDovecotRole   role,
                    GError           **error)
{
  g_autofree char *conf = _heron_test_server_dovecot_conf (self, role);
  return g_file_set_contents_full (self->dovecot[role].conf, conf, -1, G_FILE_SET_CONTENTS_NONE,
                                   0644, error);
}

static gboolean
start_dovecots_on_free_ports (HeronTestServer  *self,
                              GError          **error)
{
  for (guint attempt = 1; ; attempt++)
    {
      g_autoptr(GError) local_error = NULL;
      guint16 ports[4];
      gboolean port_taken = FALSE;

      if (!_heron_test_server_pick_ports (ports, G_N_ELEMENTS (ports), error))
        return FALSE;
      self->imap_port = ports[0];
      self->imaps_port = ports[1];
      self->lmtp_port = ports[2];
      self->auth_port = ports[3];

      if (!write_dovecot_conf (self, HERON_DOVECOT_CORE, error) ||
          !write_dovecot_conf (self, HERON_DOVECOT_IMAP, error))
        return FALSE;
      if (start_dovecot (self, HERON_DOVECOT_CORE, &port_taken, &local_error) &&
          start_dovecot (self, HERON_DOVECOT_IMAP, &port_taken, &local_error))
        return TRUE;

      _heron_test_server_kill (self, &self->dovecot[HERON_DOVECOT_IMAP].process);
      _heron_test_server_kill (self, &self->dovecot[HERON_DOVECOT_CORE].process);
      /* The OAuth endpoint keeps its port: oauth2.conf.ext, shared by the retries, names it. */
      if (!port_taken || attempt == PORT_ATTEMPTS)
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return FALSE;
        }
      g_debug ("A port was taken before Dovecot could bind it; trying others");
    }
}

/* Starts the Postfix master with the current configuration and waits for the submission
 * banner and the implicit-TLS port. */
static gboolean
start_postfix (HeronTestServer  *self,
               gboolean         *out_port_taken,
               GError          **error)
{
  g_autofree char *expected = g_strdup_printf ("Heron test Postfix %s", self->instance);
  const char * const argv[] = { self->postfix_master, "-c", self->postfix_conf_dir, "-s", NULL };
  goffset log_from = _heron_test_server_file_size (self->postfix_log);
  gboolean banner_seen = FALSE;
  gint64 deadline;

  *out_port_taken = FALSE;
  g_assert (self->postfix == NULL);

  /* Not in a group of our making: the master insists on making its own session. */
  self->postfix = _heron_test_server_spawn (self, argv, self->postfix_log, FALSE, error);
  if (self->postfix == NULL)
    return FALSE;

  deadline = g_get_monotonic_time () + START_TIMEOUT_USEC;
  for (;;)
    {
      g_autoptr(GError) local_error = NULL;

      if (!_heron_test_server_is_alive (self->postfix))
        {
          g_autofree char *exit_reason = _heron_test_server_describe_exit (self->postfix);
          g_autofree char *reason = NULL;

          /* The master reports trouble before its logging is up (a port in use, a bad
           * setting) only to syslog: look at the ports ourselves. */
          *out_port_taken = log_says_address_in_use (self->postfix_log, log_from) ||
                            !_heron_test_server_port_is_free (self->smtp_port) ||
                            !_heron_test_server_port_is_free (self->smtps_port);
          reason = g_strdup_printf ("%s%s", exit_reason,
                                    *out_port_taken ? " (one of its ports is in use)"
                                                    : " (early errors go to syslog only)");
          g_clear_object (&self->postfix);
          set_start_error (error, "Postfix", reason, self->postfix_log, log_from);
          return FALSE;
        }

      if (!banner_seen)
        {
          g_autofree char *banner = NULL;

          if (_heron_test_server_read_banner (self->smtp_port, &banner, &local_error))
            {
              if (strstr (banner, expected) == NULL)
                {
                  *out_port_taken = TRUE;
                  _heron_test_server_kill (self, &self->postfix);
                  set_start_error (error, "Postfix", "another server answers on its SMTP port",
                                   self->postfix_log, log_from);
                  return FALSE;
                }
              banner_seen = TRUE;
            }
        }
      else
        {
          g_autoptr(GSocketClient) client = g_socket_client_new ();
          g_autoptr(GSocketConnection) connection = NULL;

          g_socket_client_set_enable_proxy (client, FALSE);

          /* Implicit TLS: the banner comes after a handshake; the port accepting is enough,
           * since the master binds both before serving either. */
          connection = g_socket_client_connect_to_host (client, "127.0.0.1", self->smtps_port,
                                                        NULL, &local_error);
          if (connection != NULL)
            return TRUE;
        }

      if (g_get_monotonic_time () > deadline)
        {
          _heron_test_server_kill (self, &self->postfix);
          set_start_error (error, "Postfix", "no SMTP banner within 10 s",
                           self->postfix_log, log_from);
          return FALSE;
        }
      g_usleep (2000);
    }
}

static gboolean
write_postfix_conf (HeronTestServer  *self,
                    GError          **error)
{
  g_autofree char *main_path = g_build_filename (self->postfix_conf_dir, "main.cf", NULL);
  g_autofree char *master_path = g_build_filename (self->postfix_conf_dir, "master.cf", NULL);
  g_autofree char *main_cf = _heron_test_server_postfix_main (self);
  g_autofree char *master_cf = _heron_test_server_postfix_master (self);

  return g_file_set_contents_full (main_path, main_cf, -1, G_FILE_SET_CONTENTS_NONE, 0644, error) &&
         g_file_set_contents_full (master_path, master_cf, -1, G_FILE_SET_CONTENTS_NONE, 0644, error) &&
         _heron_test_server_backdate (main_path, error) &&
         _heron_test_server_backdate (master_path, error);
}

static gboolean
start_postfix_on_free_ports (HeronTestServer  *self,
                             GError          **error)
{
  if (!_heron_test_server_prepare_postfix_dirs (self, error))
    return FALSE;

  for (guint attempt = 1; ; attempt++)
    {
      g_autoptr(GError) local_error = NULL;
      guint16 ports[2];
      gboolean port_taken;

      if (!_heron_test_server_pick_ports (ports, G_N_ELEMENTS (ports), error))
        return FALSE;
      self->smtp_port = ports[0];
      self->smtps_port = ports[1];

      if (!write_postfix_conf (self, error))
        return FALSE;
      if (start_postfix (self, &port_taken, &local_error))
        return TRUE;
      if (!port_taken || attempt == PORT_ATTEMPTS)
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return FALSE;
        }
      g_debug ("A port was taken before Postfix could bind it; trying others");
    }
}

static gboolean
set_up_identity (HeronTestServer  *self,
                 GError          **error)
{
  self->as_root = geteuid () == 0;

  if (self->as_root)
    {
      /* Mail must not belong to root (Dovecot refuses uid 0): use nobody/nogroup. */
      struct passwd *pw = getpwnam ("nobody");
      if (pw == NULL)
        {
          g_set_error (error, HERON_TEST_SERVER_ERROR, HERON_TEST_SERVER_ERROR_FAILED,
                       "There is no user “nobody” to own the test mail");
          return FALSE;
        }
      self->mail_uid = pw->pw_uid;
      self->mail_gid = pw->pw_gid;
    }
  else
    {
      struct passwd *pw = getpwuid (geteuid ());

      if (!(self->flags & HERON_TEST_SERVER_FLAGS_NO_SMTP))
        {
          g_set_error (error, HERON_TEST_SERVER_ERROR, HERON_TEST_SERVER_ERROR_FAILED,
                       "Postfix only runs when started by root; run the tests as root, or "
                       "ask for HERON_TEST_SERVER_FLAGS_NO_SMTP (IMAP only), which works as any user");
          return FALSE;
        }
      if (pw == NULL)
        {
          g_set_error (error, HERON_TEST_SERVER_ERROR, HERON_TEST_SERVER_ERROR_FAILED,
                       "The user %u has no name, which Dovecot needs", (guint) geteuid ());
          return FALSE;
        }
      self->mail_uid = geteuid ();
      self->mail_gid = getegid ();
      self->run_user = g_strdup (pw->pw_name);
    }
  return TRUE;
}

HeronTestServer *
heron_test_server_new (GError **error)
{
  return heron_test_server_new_full (HERON_TEST_SERVER_FLAGS_NONE, error);
}

HeronTestServer *
heron_test_server_new_full (HeronTestServerFlags   flags,
                            GError               **error)
{
  g_autoptr(HeronTestServer) self = g_new0 (HeronTestServer, 1);
  g_autofree char *mail_dir = NULL;
  g_autofree char *dovecot_dir = NULL;

  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  self->flags = flags;
  self->guardian_fd = -1;
  self->users = g_ptr_array_new ();
  self->keep_dir = g_strcmp0 (g_getenv ("HERON_TEST_SERVER_KEEP"), "1") == 0;
  self->instance = random_string (8, "abcdefghijklmnopqrstuvwxyz0123456789");

  if (!set_up_identity (self, error) || !find_programs (self, error))
    return NULL;

  self->dir = g_dir_make_tmp ("heron-test-XXXXXX", error);
  if (self->dir == NULL)
    return NULL;
  /* Dovecot's and Postfix's unprivileged processes must reach their files inside. */
  if (g_chmod (self->dir, 0711) != 0)
    {
      int saved_errno = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   "Cannot set the mode of %s: %s", self->dir, g_strerror (saved_errno));
      return NULL;
    }
  if (strpbrk (self->dir, " \t\n\"'\\#<") != NULL)
    {
      g_set_error (error, HERON_TEST_SERVER_ERROR, HERON_TEST_SERVER_ERROR_FAILED,
                   "The temporary directory “%s” holds characters the server configuration "
                   "files cannot quote; set TMPDIR to a plain path", self->dir);
      return NULL;
    }

  /* From here on, a crash of this process still cleans up. */
  if (!_heron_test_server_guardian_start (self, error))
    return NULL;

  self->cert_file = g_build_filename (self->dir, "cert.pem", NULL);
  self->key_file = g_build_filename (self->dir, "key.pem", NULL);
  self->users_file = g_build_filename (self->dir, "users", NULL);
  dovecot_dir = g_build_filename (self->dir, "dovecot", NULL);
  self->dovecot_log = g_build_filename (dovecot_dir, "dovecot.log", NULL);
  self->dovecot[HERON_DOVECOT_CORE].name = "core";
  self->dovecot[HERON_DOVECOT_CORE].conf = g_build_filename (dovecot_dir, "core.conf", NULL);
  self->dovecot[HERON_DOVECOT_IMAP].name = "imap";
  self->dovecot[HERON_DOVECOT_IMAP].conf = g_build_filename (dovecot_dir, "imap.conf", NULL);
  self->oauth_conf = g_build_filename (dovecot_dir, "oauth2.conf.ext", NULL);
  mail_dir = g_build_filename (self->dir, "mail", NULL);

  if (!(flags & HERON_TEST_SERVER_FLAGS_NO_SMTP))
    {
      g_autofree char *postfix_dir = g_build_filename (self->dir, "postfix", NULL);

      self->postfix_conf_dir = g_build_filename (postfix_dir, "conf", NULL);
      self->postfix_queue_dir = g_build_filename (postfix_dir, "queue", NULL);
      self->postfix_data_dir = g_build_filename (postfix_dir, "data", NULL);
      self->postfix_mailboxes = g_build_filename (self->postfix_conf_dir, "mailboxes", NULL);
      self->postfix_log = g_build_filename (postfix_dir, "postfix.log", NULL);
      if (!make_dir (postfix_dir, 0755, error) || !make_dir (self->postfix_conf_dir, 0755, error))
        return NULL;
    }

  if (!make_dir (dovecot_dir, 0755, error) || !make_dir (mail_dir, 0711, error) ||
      !make_certificate (self, error) ||
      !heron_test_server_add_user (self, HERON_TEST_SERVER_DEFAULT_USER, NULL, error) ||
      !_heron_test_server_oauth_start (self, error) || !write_oauth_conf (self, error) ||
      !start_dovecots_on_free_ports (self, error))
    return NULL;

  if (!(flags & HERON_TEST_SERVER_FLAGS_NO_SMTP) && !start_postfix_on_free_ports (self, error))
    return NULL;

  return g_steal_pointer (&self);
}

static void
user_free (HeronTestUser *user)
{
  g_free (user->address);
  if (user->password != NULL)
    explicit_bzero (user->password, strlen (user->password));
  g_free (user->password);
  g_free (user->home);
  g_free (user);
}

void
heron_test_server_free (HeronTestServer *self)
{
  if (self == NULL)
    return;

  _heron_test_server_kill (self, &self->postfix);
  _heron_test_server_kill (self, &self->dovecot[HERON_DOVECOT_IMAP].process);
  _heron_test_server_kill (self, &self->dovecot[HERON_DOVECOT_CORE].process);
  /* After Dovecot, whose auth processes ask it: its thread and listening socket end here. */
  _heron_test_server_oauth_stop (self);

  if (self->dir != NULL)
    {
      if (self->keep_dir)
        g_printerr ("# HERON_TEST_SERVER_KEEP=1: kept %s\n", self->dir);
      else
        {
          g_autoptr(GError) error = NULL;
          if (!_heron_test_server_remove_tree (self->dir, &error))
            g_warning ("Cannot remove the test server directory: %s", error->message);
        }
    }
  _heron_test_server_guardian_stop (self);

  g_free (self->dir);
  g_free (self->instance);
  g_free (self->run_user);
  g_free (self->cert_file);
  g_free (self->key_file);
  g_clear_object (&self->certificate);
  if (self->users != NULL)
    {
      for (guint i = 0; i < self->users->len; i++)
        user_free (g_ptr_array_index (self->users, i));
      g_ptr_array_unref (self->users);
    }
  g_free (self->users_file);
  g_free (self->oauth_conf);
  g_free (self->dovecot_program);
  g_free (self->doveadm_program);
  for (guint i = 0; i < HERON_N_DOVECOTS; i++)
    g_free (self->dovecot[i].conf);
  g_free (self->dovecot_log);
  g_free (self->postfix_master);
  g_free (self->postfix_conf_dir);
  g_free (self->postfix_queue_dir);
  g_free (self->postfix_data_dir);
  g_free (self->postfix_mailboxes);
  g_free (self->postfix_log);
  g_free (self);
}

const char *
heron_test_server_get_host (HeronTestServer *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return "127.0.0.1";
}

guint16
heron_test_server_get_imap_port (HeronTestServer *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->imap_port;
}

guint16
heron_test_server_get_imaps_port (HeronTestServer *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->imaps_port;
}

guint16
heron_test_server_get_smtp_port (HeronTestServer *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->smtp_port;
}

guint16
heron_test_server_get_smtps_port (HeronTestServer *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->smtps_port;
}

guint16
heron_test_server_get_lmtp_port (HeronTestServer *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->lmtp_port;
}

const char *
heron_test_server_get_user (HeronTestServer *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return ((HeronTestUser *) g_ptr_array_index (self->users, 0))->address;
}

const char *
heron_test_server_get_password (HeronTestServer *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return ((HeronTestUser *) g_ptr_array_index (self->users, 0))->password;
}

const char *
heron_test_server_get_user_password (HeronTestServer *self,
                                     const char      *user)
{
  HeronTestUser *found;

  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (user != NULL, NULL);

  found = _heron_test_server_find_user (self, user);
  return found != NULL ? found->password : NULL;
}

const char *
heron_test_server_get_ca_file (HeronTestServer *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->cert_file;
}

GTlsCertificate *
heron_test_server_get_certificate (HeronTestServer *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->certificate;
}

const char *
heron_test_server_get_dir (HeronTestServer *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->dir;
}

const char *
heron_test_server_get_dovecot_config (HeronTestServer *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->dovecot[HERON_DOVECOT_CORE].conf;
}

char *
heron_test_server_dup_logs (HeronTestServer *self,
                            gsize            max_bytes)
{
  g_autofree char *dovecot = NULL;
  g_autofree char *postfix = NULL;

  g_return_val_if_fail (self != NULL, NULL);

  if (max_bytes == 0)
    max_bytes = 8192;
  dovecot = _heron_test_server_tail_file (self->dovecot_log, 0, max_bytes);
  if (self->postfix_log == NULL)
    return g_strdup_printf ("--- %s ---\n%s", self->dovecot_log, dovecot);
  postfix = _heron_test_server_tail_file (self->postfix_log, 0, max_bytes);
  return g_strdup_printf ("--- %s ---\n%s--- %s ---\n%s",
                          self->dovecot_log, dovecot, self->postfix_log, postfix);
}

static gboolean
is_valid_address (const char *address)
{
  const char *at = strchr (address, '@');

  if (at == NULL || at == address || at[1] == '\0' || strchr (at + 1, '@') != NULL)
    return FALSE;
  for (const char *p = address; *p != '\0'; p++)
    if (!g_ascii_isalnum (*p) && strchr ("@.-_+", *p) == NULL)
      return FALSE;
  return TRUE;
}

gboolean
heron_test_server_add_user (HeronTestServer  *self,
                            const char       *user,
                            const char       *password,
                            GError          **error)
{
  g_autofree char *local = NULL;
  const char *domain;
  HeronTestUser *entry;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (user != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!is_valid_address (user))
    {
      g_set_error (error, HERON_TEST_SERVER_ERROR, HERON_TEST_SERVER_ERROR_FAILED,
                   "“%s” is not an address the test server takes (letters, digits, . - _ +, "
                   "one @)", user);
      return FALSE;
    }
  if (password != NULL && (*password == '\0' || strpbrk (password, ":\r\n") != NULL))
    {
      g_set_error (error, HERON_TEST_SERVER_ERROR, HERON_TEST_SERVER_ERROR_FAILED,
                   "A test password must be non-empty and hold no colon or line break");
      return FALSE;
    }
  if (_heron_test_server_find_user (self, user) != NULL)
    {
      g_set_error (error, HERON_TEST_SERVER_ERROR, HERON_TEST_SERVER_ERROR_FAILED,
                   "The user %s exists already", user);
      return FALSE;
    }

  domain = strchr (user, '@') + 1;
  local = g_strndup (user, domain - 1 - user);

  entry = g_new0 (HeronTestUser, 1);
  entry->address = g_ascii_strdown (user, -1);
  entry->password = password != NULL
    ? g_strdup (password)
    : random_string (24, "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789");
  entry->home = g_build_filename (self->dir, "mail", domain, local, NULL);

  /* The domain directory only needs to be traversable; the home belongs to the mail user. */
  {
    g_autofree char *domain_dir = g_path_get_dirname (entry->home);
    if (!make_dir (domain_dir, 0711, error) || !make_dir (entry->home, 0700, error) ||
        (self->as_root && chown (entry->home, self->mail_uid, self->mail_gid) != 0))
      {
        if (error != NULL && *error == NULL)
          g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errno),
                       "Cannot give %s to the mail user: %s", entry->home, g_strerror (errno));
        user_free (entry);
        return FALSE;
      }
  }

  g_ptr_array_add (self->users, entry);
  if (!_heron_test_server_write_users (self, error))
    {
      g_ptr_array_remove_index (self->users, self->users->len - 1);
      user_free (entry);
      return FALSE;
    }
  return TRUE;
}

gboolean
heron_test_server_stop_imap (HeronTestServer  *self,
                             GError          **error)
{
  g_return_val_if_fail (self != NULL, FALSE);

  _heron_test_server_kill (self, &self->dovecot[HERON_DOVECOT_IMAP].process);
  return TRUE;
}

gboolean
heron_test_server_start_imap (HeronTestServer  *self,
                              GError          **error)
{
  gboolean port_taken;

  g_return_val_if_fail (self != NULL, FALSE);

  if (_heron_test_server_is_alive (self->dovecot[HERON_DOVECOT_IMAP].process))
    return TRUE;
  g_clear_object (&self->dovecot[HERON_DOVECOT_IMAP].process);
  /* Same ports, same data: if a port was taken meanwhile, that is an error to report. */
  return start_dovecot (self, HERON_DOVECOT_IMAP, &port_taken, error);
}

gboolean
heron_test_server_stop_smtp (HeronTestServer  *self,
                             GError          **error)
{
  g_return_val_if_fail (self != NULL, FALSE);

  _heron_test_server_kill (self, &self->postfix);
  return TRUE;
}

gboolean
heron_test_server_start_smtp (HeronTestServer  *self,
                              GError          **error)
{
  gboolean port_taken;

  g_return_val_if_fail (self != NULL, FALSE);

  if (self->flags & HERON_TEST_SERVER_FLAGS_NO_SMTP)
    {
      g_set_error (error, HERON_TEST_SERVER_ERROR, HERON_TEST_SERVER_ERROR_FAILED,
                   "This test server was started without SMTP");
      return FALSE;
    }
  if (_heron_test_server_is_alive (self->postfix))
    return TRUE;
  g_clear_object (&self->postfix);
  return start_postfix (self, &port_taken, error);
}

gboolean
heron_test_server_is_imap_running (HeronTestServer *self)
{
  g_return_val_if_fail (self != NULL, FALSE);
  return _heron_test_server_is_alive (self->dovecot[HERON_DOVECOT_IMAP].process);
}

gboolean
heron_test_server_is_smtp_running (HeronTestServer *self)
{
  g_return_val_if_fail (self != NULL, FALSE);
  return _heron_test_server_is_alive (self->postfix);
}
