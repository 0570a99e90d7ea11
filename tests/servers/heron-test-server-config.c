/* heron-test-server-config.c: the configuration files of the private Dovecot and Postfix.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Everything lives under the server's directory (see README.md beside this file):
 *   cert.pem key.pem              the self-signed certificate and its key
 *   users                         Dovecot passwd-file ({PLAIN} passwords, uid, gid, home)
 *   mail/<domain>/<local>/Maildir the users' mail
 *   dovecot/{core,imap}.conf, dovecot/dovecot.log, dovecot/{core,imap}/ (base_dir, state)
 *   postfix/conf/{main.cf,master.cf,mailboxes}, postfix/queue, postfix/data, postfix/postfix.log
 */

#include "heron-test-server-private.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gstdio.h>

/* Postfix reads a table or main.cf only once it has not changed for a second (it sleeps 300 ms
 * at a time until then), which would make every start and every smtpd after a new user a second
 * slower. Our files are written whole and renamed into place, so they may look old at once. */
gboolean
_heron_test_server_backdate (const char  *path,
                             GError     **error)
{
  struct timespec times[2];

  clock_gettime (CLOCK_REALTIME, &times[0]);
  times[0].tv_sec -= 60;
  times[1] = times[0];
  if (utimensat (AT_FDCWD, path, times, 0) != 0)
    {
      int saved_errno = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   "Cannot set the time of %s: %s", path, g_strerror (saved_errno));
      return FALSE;
    }
  return TRUE;
}

char *
_heron_test_server_dovecot_conf (HeronTestServer  *self,
                                 HeronDovecotRole  role)
{
  GString *conf = g_string_new (NULL);
  const char *name = self->dovecot[role].name;

  g_string_append_printf (conf,
    "# Written by the Heron test harness (tests/servers). Loopback only, for tests.\n"
    "# Dovecot instance \"%s\" of two sharing users and mail: \"core\" serves LMTP, SASL for\n"
    "# Postfix and doveadm; \"imap\" serves IMAP.\n"
    "instance_name = heron-%s-%s\n"
    "base_dir = %s/dovecot/%s\n"
    "state_dir = %s/dovecot/%s/state\n"
    "log_path = %s\n"
    "protocols = %s\n"
    "listen = 127.0.0.1\n"
    "login_greeting = Heron test Dovecot %s %s ready.\n",
    name, name, self->instance, self->dir, name, self->dir, name, self->dovecot_log,
    role == HERON_DOVECOT_IMAP ? "imap" : "lmtp", name, self->instance);

  if (!self->as_root)
    {
      /* Rootless: every process runs as the invoking user, nothing chroots. */
      g_autofree char *group = NULL;
      struct group *gr = getgrgid (getgid ());

      group = gr != NULL ? g_strdup (gr->gr_name) : g_strdup_printf ("%u", (guint) getgid ());
      g_string_append_printf (conf,
        "default_internal_user = %s\n"
        "default_login_user = %s\n"
        "default_internal_group = %s\n",
        self->run_user, self->run_user, group);
    }

  if (role == HERON_DOVECOT_IMAP)
    g_string_append_printf (conf,
      "ssl = yes\n"
      "ssl_cert = <%s\n"
      "ssl_key = <%s\n"
      "ssl_min_protocol = TLSv1.2\n",
      self->cert_file, self->key_file);
  else
    g_string_append (conf, "ssl = no\n");

  g_string_append_printf (conf,
    "# Plain-text authentication stays disabled; Dovecot itself still allows it on a connection\n"
    "# it considers secure, which is one whose remote IP equals its local IP: a client on\n"
    "# 127.0.0.1 talking to the listener on 127.0.0.1.\n"
    "disable_plaintext_auth = yes\n"
    "auth_mechanisms = plain login xoauth2 oauthbearer\n"
    "auth_failure_delay = 0\n"
    "auth_verbose = yes\n"
    "first_valid_uid = 1\n"
    "mail_location = maildir:~/Maildir\n"
    "mail_fsync = never\n"
    "mail_max_userip_connections = 256\n"
    "default_vsz_limit = 2G\n"
    "passdb {\n"
    "  driver = passwd-file\n"
    "  mechanisms = plain login\n"
    "  args = scheme=PLAIN username_format=%%u %s\n"
    "}\n"
    "# OAuth2 access tokens, checked with the harness's introspection endpoint\n"
    "# (heron-test-server-oauth.c).\n"
    "passdb {\n"
    "  driver = oauth2\n"
    "  mechanisms = xoauth2 oauthbearer\n"
    "  args = %s\n"
    "}\n"
    "userdb {\n"
    "  driver = passwd-file\n"
    "  args = username_format=%%u %s\n"
    "}\n"
    "namespace inbox {\n"
    "  inbox = yes\n"
    "  separator = /\n",
    self->users_file, self->oauth_conf, self->users_file);

  {
    static const char * const special[][2] = {
      { "Drafts", "\\Drafts" },
      { "Sent", "\\Sent" },
      { "Trash", "\\Trash" },
      { "Junk", "\\Junk" },
      { "Archive", "\\Archive" },
    };
    for (guint i = 0; i < G_N_ELEMENTS (special); i++)
      g_string_append_printf (conf,
        "  mailbox %s {\n"
        "    special_use = %s\n"
        "    auto = subscribe\n"
        "  }\n",
        special[i][0], special[i][1]);
  }

  g_string_append (conf,
    "}\n"
    "protocol imap {\n"
    "  mail_plugins = $mail_plugins imap_zlib\n"
    "}\n"
    "protocol lmtp {\n"
    "  postmaster_address = postmaster@" HERON_TEST_SERVER_DOMAIN "\n"
    "}\n");

  if (role == HERON_DOVECOT_IMAP)
    g_string_append_printf (conf,
      "service imap-login {\n"
      "  inet_listener imap {\n"
      "    address = 127.0.0.1\n"
      "    port = %u\n"
      "  }\n"
      "  inet_listener imaps {\n"
      "    address = 127.0.0.1\n"
      "    port = %u\n"
      "    ssl = yes\n"
      "  }\n"
      "%s"
      "}\n",
      self->imap_port, self->imaps_port, self->as_root ? "" : "  chroot =\n");
  else
    g_string_append_printf (conf,
      "service lmtp {\n"
      "  inet_listener lmtp {\n"
      "    address = 127.0.0.1\n"
      "    port = %u\n"
      "  }\n"
      "}\n"
      "# SASL for Postfix.\n"
      "service auth {\n"
      "  inet_listener auth {\n"
      "    address = 127.0.0.1\n"
      "    port = %u\n"
      "  }\n"
      "}\n",
      self->lmtp_port, self->auth_port);

  g_string_append_printf (conf,
    "# No authentication penalty: tests try wrong passwords on purpose, then right ones.\n"
    "service anvil {\n"
    "  unix_listener anvil-auth-penalty {\n"
    "    mode = 0\n"
    "  }\n"
    "%s"
    "}\n",
    self->as_root ? "" : "  chroot =\n");

  return g_string_free (conf, FALSE);
}

char *
_heron_test_server_postfix_main (HeronTestServer *self)
{
  return g_strdup_printf (
    "# Written by the Heron test harness (tests/servers). Loopback only, for tests.\n"
    "compatibility_level = 3.6\n"
    "queue_directory = %s\n"
    "data_directory = %s\n"
    "mail_owner = postfix\n"
    "setgid_group = postdrop\n"
    "# The master's stdout and stderr go to postfix.log.\n"
    "maillog_file = /dev/stdout\n"
    "syslog_name = heron-test-postfix\n"
    "inet_interfaces = loopback-only\n"
    "inet_protocols = ipv4\n"
    "myhostname = mail." HERON_TEST_SERVER_DOMAIN "\n"
    "mydomain = " HERON_TEST_SERVER_DOMAIN "\n"
    "myorigin = " HERON_TEST_SERVER_DOMAIN "\n"
    "mydestination =\n"
    "mynetworks = 127.0.0.1/32\n"
    "relay_domains =\n"
    "local_recipient_maps =\n"
    "alias_maps =\n"
    "alias_database =\n"
    "biff = no\n"
    "append_dot_mydomain = no\n"
    "readme_directory = no\n"
    "# The users of example.test get their mail from Dovecot over LMTP; unknown ones are\n"
    "# rejected at RCPT. smtpd re-reads the map for every connection (max_use=1 in master.cf).\n"
    "virtual_mailbox_domains = " HERON_TEST_SERVER_DOMAIN "\n"
    "virtual_mailbox_maps = texthash:%s\n"
    "virtual_transport = lmtp:inet:127.0.0.1:%u\n"
    "lmtp_tls_security_level = none\n"
    "# Nothing leaves the machine: other domains are refused at RCPT (reject_unauth_destination,\n"
    "# even when authenticated) and, should anything get queued, bounced by the error transport.\n"
    "default_transport = error:mail to other domains is disabled in the Heron test harness\n"
    "relay_transport = error:mail to other domains is disabled in the Heron test harness\n"
    "smtp_tls_security_level = none\n"
    "smtpd_banner = $myhostname ESMTP Heron test Postfix %s\n"
    "smtpd_tls_cert_file = %s\n"
    "smtpd_tls_key_file = %s\n"
    "smtpd_tls_security_level = may\n"
    "smtpd_tls_auth_only = yes\n"
    "smtpd_sasl_type = dovecot\n"
    "smtpd_sasl_path = inet:127.0.0.1:%u\n"
    "smtpd_sasl_auth_enable = yes\n"
    "smtpd_sasl_security_options = noanonymous\n"
    "smtpd_relay_restrictions = reject_unauth_destination\n"
    "smtpd_recipient_restrictions = permit_sasl_authenticated, reject\n"
    "smtpd_error_sleep_time = 0s\n"
    "# Retry quickly after Dovecot was down.\n"
    "queue_run_delay = 1s\n"
    "minimal_backoff_time = 1s\n"
    "maximal_backoff_time = 2s\n",
    self->postfix_queue_dir, self->postfix_data_dir, self->postfix_mailboxes,
    self->lmtp_port, self->instance, self->cert_file, self->key_file, self->auth_port);
}

char *
_heron_test_server_postfix_master (HeronTestServer *self)
{
  return g_strdup_printf (
    "# Written by the Heron test harness (tests/servers).\n"
    "# service type  private unpriv  chroot  wakeup  maxproc command\n"
    "# Submission with STARTTLS (required before MAIL and AUTH).\n"
    "127.0.0.1:%u inet n - n - - smtpd\n"
    "  -o smtpd_tls_security_level=encrypt\n"
    "  -o max_use=1\n"
    "# Submission over implicit TLS.\n"
    "127.0.0.1:%u inet n - n - - smtpd\n"
    "  -o smtpd_tls_wrappermode=yes\n"
    "  -o max_use=1\n"
    "cleanup   unix  n       -       n       -       0       cleanup\n"
    "qmgr      unix  n       -       n       300     1       qmgr\n"
    "tlsmgr    unix  -       -       n       1000?   1       tlsmgr\n"
    "rewrite   unix  -       -       n       -       -       trivial-rewrite\n"
    "bounce    unix  -       -       n       -       0       bounce\n"
    "defer     unix  -       -       n       -       0       bounce\n"
    "trace     unix  -       -       n       -       0       bounce\n"
    "verify    unix  -       -       n       -       1       verify\n"
    "flush     unix  n       -       n       1000?   0       flush\n"
    "proxymap  unix  -       -       n       -       -       proxymap\n"
    "smtp      unix  -       -       n       -       -       smtp\n"
    "relay     unix  -       -       n       -       -       smtp\n"
    "showq     unix  n       -       n       -       -       showq\n"
    "error     unix  -       -       n       -       -       error\n"
    "retry     unix  -       -       n       -       -       error\n"
    "discard   unix  -       -       n       -       -       discard\n"
    "lmtp      unix  -       -       n       -       -       lmtp\n"
    "anvil     unix  -       -       n       -       1       anvil\n"
    "scache    unix  -       -       n       -       1       scache\n"
    "postlog   unix-dgram n  -       n       -       1       postlogd\n",
    self->smtp_port, self->smtps_port);
}

/* Writes path atomically with the given mode and owner (-1: unchanged), so that a server reading
 * it concurrently sees the old or the new file, never a partial or unreadable one. */
static gboolean
write_file (const char  *path,
            const char  *contents,
            int          mode,
            uid_t        uid,
            gid_t        gid,
            GError     **error)
{
  g_autofree char *tmp = g_strconcat (path, ".tmp", NULL);

  if (!g_file_set_contents_full (tmp, contents, -1, G_FILE_SET_CONTENTS_NONE, mode, error) ||
      !_heron_test_server_backdate (tmp, error))
    return FALSE;
  if ((uid != (uid_t) -1 || gid != (gid_t) -1) && chown (tmp, uid, gid) != 0)
    {
      int saved_errno = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   "Cannot change the owner of %s: %s", tmp, g_strerror (saved_errno));
      return FALSE;
    }
  if (g_rename (tmp, path) != 0)
    {
      int saved_errno = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   "Cannot rename %s: %s", tmp, g_strerror (saved_errno));
      return FALSE;
    }
  return TRUE;
}

gboolean
_heron_test_server_write_users (HeronTestServer  *self,
                                GError          **error)
{
  g_autoptr(GString) passwd = g_string_new (NULL);
  g_autoptr(GString) map = g_string_new (NULL);
  gid_t reader_gid = (gid_t) -1;
  int mode = 0600;

  for (guint i = 0; i < self->users->len; i++)
    {
      HeronTestUser *user = g_ptr_array_index (self->users, i);

      g_string_append_printf (passwd, "%s:{PLAIN}%s:%u:%u::%s::\n",
                              user->address, user->password,
                              (guint) self->mail_uid, (guint) self->mail_gid, user->home);
      g_string_append_printf (map, "%s OK\n", user->address);
    }

  if (self->as_root)
    {
      /* Dovecot's auth process runs as its internal user, "dovecot". */
      struct group *gr = getgrnam ("dovecot");
      if (gr != NULL)
        {
          reader_gid = gr->gr_gid;
          mode = 0640;
        }
      else
        mode = 0644;
    }

  if (!write_file (self->users_file, passwd->str, mode, (uid_t) -1, reader_gid, error))
    return FALSE;
  if (self->postfix_mailboxes != NULL &&
      !write_file (self->postfix_mailboxes, map->str, 0644, (uid_t) -1, (gid_t) -1, error))
    return FALSE;
  return TRUE;
}

static gboolean
make_dir (const char  *path,
          int          mode,
          uid_t        uid,
          gid_t        gid,
          GError     **error)
{
  if (g_mkdir_with_parents (path, mode) != 0 || chmod (path, mode) != 0 ||
      chown (path, uid, gid) != 0)
    {
      int saved_errno = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   "Cannot prepare %s: %s", path, g_strerror (saved_errno));
      return FALSE;
    }
  return TRUE;
}

/* The queue layout of Postfix's postfix-files, which "postfix check" would create; doing it here
 * lets us start the master directly, without the postfix-script checks (much faster). */
gboolean
_heron_test_server_prepare_postfix_dirs (HeronTestServer  *self,
                                         GError          **error)
{
  static const char * const owned_by_postfix[] = {
    "active", "bounce", "corrupt", "defer", "deferred", "flush", "hold", "incoming",
    "private", "saved", "trace",
  };
  struct passwd *pw = getpwnam ("postfix");
  struct group *gr = getgrnam ("postdrop");
  uid_t postfix_uid;
  gid_t postfix_gid, postdrop_gid;

  if (pw == NULL || gr == NULL)
    {
      g_set_error (error, HERON_TEST_SERVER_ERROR, HERON_TEST_SERVER_ERROR_NOT_INSTALLED,
                   "The user “postfix” or the group “postdrop” does not exist: is Postfix "
                   "installed? (build-aux/setup-deps installs it)");
      return FALSE;
    }
  postfix_uid = pw->pw_uid;
  postfix_gid = pw->pw_gid;
  postdrop_gid = gr->gr_gid;

  if (!make_dir (self->postfix_queue_dir, 0755, 0, 0, error) ||
      !make_dir (self->postfix_data_dir, 0700, postfix_uid, postfix_gid, error))
    return FALSE;

  for (guint i = 0; i < G_N_ELEMENTS (owned_by_postfix); i++)
    {
      g_autofree char *path = g_build_filename (self->postfix_queue_dir, owned_by_postfix[i], NULL);
      if (!make_dir (path, 0700, postfix_uid, postfix_gid, error))
        return FALSE;
    }

  {
    g_autofree char *maildrop = g_build_filename (self->postfix_queue_dir, "maildrop", NULL);
    g_autofree char *public = g_build_filename (self->postfix_queue_dir, "public", NULL);
    g_autofree char *pid = g_build_filename (self->postfix_queue_dir, "pid", NULL);

    if (!make_dir (maildrop, 0730, postfix_uid, postdrop_gid, error) ||
        !make_dir (public, 0710, postfix_uid, postdrop_gid, error) ||
        !make_dir (pid, 0755, 0, 0, error))
      return FALSE;
  }
  return TRUE;
}
