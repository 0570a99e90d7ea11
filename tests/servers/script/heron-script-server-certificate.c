/* heron-script-server-certificate.c: self-signed certificates made with the openssl command.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * `openssl req -x509` cannot date a certificate in the past, so a request is signed by
 * `openssl ca -selfsign`, which takes any start and end date. Everything happens in a temporary
 * directory that is removed at once; the result lives in memory as a GTlsCertificate.
 */

#include "heron-script-server-private.h"

#include <string.h>

#include <glib/gstdio.h>

/* Certificates */

static const char ca_config[] =
  "[ ca ]\n"
  "default_ca = heron\n"
  "[ heron ]\n"
  "database = index.txt\n"
  "new_certs_dir = .\n"
  "rand_serial = yes\n"
  "default_md = sha256\n"
  "policy = any\n"
  "copy_extensions = copy\n"
  "unique_subject = no\n"
  "email_in_dn = no\n"
  "x509_extensions = self_signed\n"
  "[ any ]\n"
  "commonName = supplied\n"
  /* What `openssl req -x509` gives a self-signed certificate. */
  "[ self_signed ]\n"
  "subjectKeyIdentifier = hash\n"
  "authorityKeyIdentifier = keyid:always,issuer\n"
  "basicConstraints = critical,CA:true\n";

void
_heron_script_server_remove_dir (const char *dir)
{
  g_autoptr(GDir) handle = NULL;
  const char *name;

  if (dir == NULL)
    return;
  handle = g_dir_open (dir, 0, NULL);
  while (handle != NULL && (name = g_dir_read_name (handle)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);

      g_unlink (path);
    }
  g_rmdir (dir);
}

static gboolean
run_openssl (const char   *dir,
             const char  **argv,
             GError      **error)
{
  g_autofree char *errors = NULL;
  g_autoptr(GError) local_error = NULL;
  int status = 0;

  if (!g_spawn_sync (dir, (char **) argv, NULL, G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL, NULL,
                     &errors, &status, error))
    return FALSE;
  if (!g_spawn_check_wait_status (status, &local_error))
    {
      g_set_error (error, HERON_SCRIPT_SERVER_ERROR, HERON_SCRIPT_SERVER_ERROR_FAILED,
                   "openssl %s failed (%s): %s", argv[1], local_error->message, errors);
      return FALSE;
    }
  return TRUE;
}

static char *
format_openssl_time (GDateTime *time)
{
  return g_date_time_format (time, "%Y%m%d%H%M%SZ");
}

GTlsCertificate *
heron_script_server_make_certificate (const char  *cn,
                                      const char  *san,
                                      int          days_valid,
                                      GError     **error)
{
  g_autofree char *openssl = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *config = NULL;
  g_autofree char *index = NULL;
  g_autofree char *subject = NULL;
  g_autofree char *extension = NULL;
  g_autofree char *start = NULL;
  g_autofree char *end = NULL;
  g_autofree char *cert_file = NULL;
  g_autofree char *key_file = NULL;
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autoptr(GDateTime) not_before = NULL;
  g_autoptr(GDateTime) not_after = NULL;
  GTlsCertificate *certificate = NULL;

  g_return_val_if_fail (cn != NULL && *cn != '\0' && strchr (cn, '/') == NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  openssl = g_find_program_in_path ("openssl");
  if (openssl == NULL)
    {
      g_set_error_literal (error, HERON_SCRIPT_SERVER_ERROR, HERON_SCRIPT_SERVER_ERROR_FAILED,
                           "openssl is not installed (build-aux/setup-deps installs it)");
      return NULL;
    }
  if (days_valid > 0)
    {
      not_before = g_date_time_add_days (now, -1);
      not_after = g_date_time_add_days (now, days_valid);
    }
  else
    {
      g_autoptr(GDateTime) day = g_date_time_add_days (now, days_valid);

      not_after = g_date_time_add_hours (day, -1);
      not_before = g_date_time_add_days (not_after, -30);
    }
  start = format_openssl_time (not_before);
  end = format_openssl_time (not_after);

  dir = g_dir_make_tmp ("heron-certificate-XXXXXX", error);
  if (dir == NULL)
    return NULL;
  config = g_build_filename (dir, "ca.cnf", NULL);
  index = g_build_filename (dir, "index.txt", NULL);
  cert_file = g_build_filename (dir, "cert.pem", NULL);
  key_file = g_build_filename (dir, "key.pem", NULL);
  subject = g_strdup_printf ("/CN=%s", cn);
  extension = san != NULL ? g_strdup_printf ("subjectAltName=%s", san) : NULL;

  if (g_file_set_contents (config, ca_config, -1, error) &&
      g_file_set_contents (index, "", 0, error))
    {
      const char *request[] = {
        openssl, "req", "-new", "-newkey", "rsa:2048", "-nodes", "-keyout", "key.pem",
        "-subj", subject, "-out", "request.csr",
        extension != NULL ? "-addext" : NULL, extension, NULL
      };
      const char *sign[] = {
        openssl, "ca", "-batch", "-config", "ca.cnf", "-selfsign", "-keyfile", "key.pem",
        "-in", "request.csr", "-out", "cert.pem", "-notext", "-startdate", start,
        "-enddate", end, NULL
      };

      if (run_openssl (dir, request, error) && run_openssl (dir, sign, error))
        certificate = g_tls_certificate_new_from_files (cert_file, key_file, error);
    }
  _heron_script_server_remove_dir (dir);
  return certificate;
}

