/* heron-autoconfig-srv.c: mail servers from DNS SRV records (RFC 6186, RFC 8314)
 *
 * Copyright 2026 The Heron developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * RFC 6186 names the services _imaps._tcp and _imap._tcp (IMAP with implicit TLS and with
 * STARTTLS) and _submission._tcp; RFC 8314 adds _submissions._tcp (submission with implicit TLS).
 * A record whose target is "." says the service is decidedly not offered (RFC 2782).
 *
 * For each protocol we take the records of both services together, lowest priority first
 * (RFC 6186 section 3.4 compares priorities across the services of one kind), preferring
 * implicit TLS at equal priority (RFC 8314 section 5.1) and then the larger weight. RFC 2782's
 * weighted random choice spreads the load of many lookups; an account is configured once and
 * keeps what it was given, so the deterministic "most weight" choice is the better proposal.
 *
 * DNS answers are not authenticated here: a forged record can point at another server. The
 * result says the settings came from SRV so the person confirms them, and the connection still
 * checks the certificate against the host it connects to.
 */

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "heron-autoconfig-private.h"

typedef struct {
  const char           *service;
  HeronAccountProtocol  protocol;
  HeronAccountSecurity  security;
} Service;

static const Service services[] = {
  { "imaps", HERON_ACCOUNT_PROTOCOL_IMAP, HERON_ACCOUNT_SECURITY_TLS },
  { "imap", HERON_ACCOUNT_PROTOCOL_IMAP, HERON_ACCOUNT_SECURITY_STARTTLS },
  { "submissions", HERON_ACCOUNT_PROTOCOL_SMTP, HERON_ACCOUNT_SECURITY_TLS },
  { "submission", HERON_ACCOUNT_PROTOCOL_SMTP, HERON_ACCOUNT_SECURITY_STARTTLS },
};

typedef struct {
  HeronAutoconfigResult *result;
  char *domain;
  guint pending;
  GList *targets[G_N_ELEMENTS (services)]; /* of GSrvTarget */
  GError *errors[G_N_ELEMENTS (services)];
} SrvData;

typedef struct {
  GTask *task;
  guint index;
} Lookup;

static void
srv_data_free (SrvData *data)
{
  g_clear_object (&data->result);
  g_free (data->domain);
  for (guint i = 0; i < G_N_ELEMENTS (services); i++)
    {
      g_list_free_full (data->targets[i], (GDestroyNotify) g_srv_target_free);
      g_clear_error (&data->errors[i]);
    }
  g_free (data);
}

static gboolean
target_is_root (GSrvTarget *target)
{
  const char *hostname = g_srv_target_get_hostname (target);

  return hostname[0] == '\0' || g_str_equal (hostname, ".");
}

typedef struct {
  GSrvTarget *target;
  const Service *service;
} Candidate;

static int
compare_candidates (gconstpointer a,
                    gconstpointer b)
{
  const Candidate *x = a;
  const Candidate *y = b;
  guint16 x_priority = g_srv_target_get_priority (x->target);
  guint16 y_priority = g_srv_target_get_priority (y->target);
  gboolean x_tls = x->service->security == HERON_ACCOUNT_SECURITY_TLS;
  gboolean y_tls = y->service->security == HERON_ACCOUNT_SECURITY_TLS;

  if (x_priority != y_priority)
    return x_priority < y_priority ? -1 : 1;
  if (x_tls != y_tls)
    return x_tls ? -1 : 1;
  return (int) g_srv_target_get_weight (y->target) - (int) g_srv_target_get_weight (x->target);
}

static void
choose (SrvData              *data,
        HeronAccountProtocol  protocol)
{
  g_autoptr(GArray) candidates = g_array_new (FALSE, FALSE, sizeof (Candidate));
  g_autoptr(HeronAccountServer) server = NULL;
  g_autofree char *host = NULL;
  const Candidate *best;

  for (guint i = 0; i < G_N_ELEMENTS (services); i++)
    {
      const Service *service = &services[i];
      guint usable = 0;

      if (service->protocol != protocol)
        continue;

      if (data->errors[i] != NULL)
        {
          if (g_error_matches (data->errors[i], G_RESOLVER_ERROR, G_RESOLVER_ERROR_NOT_FOUND))
            _heron_autoconfig_result_log (data->result, _("DNS: no SRV record _%s._tcp.%s"),
                                          service->service, data->domain);
          else
            _heron_autoconfig_result_log (data->result, _("DNS: _%s._tcp.%s cannot be looked up: %s"),
                                          service->service, data->domain,
                                          data->errors[i]->message);
          continue;
        }

      for (GList *l = data->targets[i]; l != NULL; l = l->next)
        {
          Candidate candidate = { l->data, service };

          if (target_is_root (l->data) || g_srv_target_get_port (l->data) == 0)
            continue;
          g_array_append_val (candidates, candidate);
          usable++;
        }
      if (usable == 0)
        _heron_autoconfig_result_log (data->result,
                                      _("DNS: _%s._tcp.%s says the service is not offered"),
                                      service->service, data->domain);
    }

  if (candidates->len == 0)
    return;

  g_array_sort (candidates, compare_candidates);
  best = &g_array_index (candidates, Candidate, 0);

  host = g_strdup (g_srv_target_get_hostname (best->target));
  /* A name from DNS may end with the root's dot; the account file wants the plain name. */
  if (g_str_has_suffix (host, "."))
    host[strlen (host) - 1] = '\0';
  if (!heron_account_host_is_valid (host))
    {
      _heron_autoconfig_result_log (data->result, _("DNS: _%s._tcp.%s names “%s”, not a host name"),
                                    best->service->service, data->domain, host);
      return;
    }

  server = heron_account_server_new (protocol);
  heron_account_server_set_host (server, host);
  heron_account_server_set_port (server, g_srv_target_get_port (best->target));
  heron_account_server_set_security (server, best->service->security);
  heron_account_server_set_auth (server, HERON_ACCOUNT_AUTH_PASSWORD);
  _heron_autoconfig_result_set_server (data->result, server, HERON_AUTOCONFIG_SOURCE_SRV);
  _heron_autoconfig_result_log (data->result, _("DNS: _%s._tcp.%s gives %s port %u"),
                                best->service->service, data->domain, host,
                                g_srv_target_get_port (best->target));
}

static void
finish_if_done (GTask *task)
{
  SrvData *data = g_task_get_task_data (task);

  if (data->pending > 0)
    return;

  if (g_task_return_error_if_cancelled (task))
    return;

  if (!_heron_autoconfig_result_has_server (data->result, HERON_ACCOUNT_PROTOCOL_IMAP))
    choose (data, HERON_ACCOUNT_PROTOCOL_IMAP);
  if (!_heron_autoconfig_result_has_server (data->result, HERON_ACCOUNT_PROTOCOL_SMTP))
    choose (data, HERON_ACCOUNT_PROTOCOL_SMTP);
  g_task_return_boolean (task, TRUE);
}

static void
lookup_cb (GObject      *source_object,
           GAsyncResult *res,
           gpointer      user_data)
{
  Lookup *lookup = user_data;
  g_autoptr(GTask) task = lookup->task;
  SrvData *data = g_task_get_task_data (task);
  guint index = lookup->index;

  g_free (lookup);
  data->targets[index] = g_resolver_lookup_service_finish (G_RESOLVER (source_object), res,
                                                           &data->errors[index]);
  data->pending--;
  finish_if_done (task);
}

void
_heron_autoconfig_srv_async (HeronAutoconfigResult *result,
                             const char            *domain,
                             GCancellable          *cancellable,
                             GAsyncReadyCallback    callback,
                             gpointer               user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GResolver) resolver = g_resolver_get_default ();
  SrvData *data;

  g_return_if_fail (HERON_IS_AUTOCONFIG_RESULT (result));
  g_return_if_fail (domain != NULL);

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, _heron_autoconfig_srv_async);

  data = g_new0 (SrvData, 1);
  data->result = g_object_ref (result);
  data->domain = g_strdup (domain);
  g_task_set_task_data (task, data, (GDestroyNotify) srv_data_free);

  /* All lookups at once; pending counts them, and one extra count keeps the task from finishing
   * before they are all started. */
  data->pending = 1;
  for (guint i = 0; i < G_N_ELEMENTS (services); i++)
    {
      Lookup *lookup;

      if (_heron_autoconfig_result_has_server (result, services[i].protocol))
        continue;
      lookup = g_new0 (Lookup, 1);
      lookup->task = g_object_ref (task);
      lookup->index = i;
      data->pending++;
      g_resolver_lookup_service_async (resolver, services[i].service, "tcp", domain,
                                       cancellable, lookup_cb, lookup);
    }
  data->pending--;
  finish_if_done (task);
}

gboolean
_heron_autoconfig_srv_finish (GAsyncResult  *res,
                              GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (res, NULL), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (res)) == _heron_autoconfig_srv_async, FALSE);

  return g_task_propagate_boolean (G_TASK (res), error);
}
