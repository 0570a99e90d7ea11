/* heron-autoconfig.c: proposing an account's settings from its e-mail address
 *
 * Copyright 2026 The Heron developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The order follows how much each source can be trusted and how much it knows:
 *   1. the provider's own document (Mozilla's autoconfig format), fetched over HTTPS only, from
 *      autoconfig.<domain> and then <domain>/.well-known/ (Thunderbird also tries plain HTTP and
 *      its central ISPDB; we do not: the first is forgeable, the second a third party);
 *   2. DNS SRV records (heron-autoconfig-srv.c) for a server the document did not give;
 *   3. probing common names and ports (heron-autoconfig-probe.c) for what is still missing.
 * A step that fails (no answer, HTTP 404, malformed XML) is noted in the result's log and the
 * next one runs.
 */

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>
#include <libsoup/soup.h>

#include "heron-account-error.h"
#include "heron-autoconfig.h"
#include "heron-autoconfig-private.h"

/* Real documents are a few KiB; this bounds what a hostile server can make us hold. */
#define MAX_DOCUMENT_SIZE (1024 * 1024)
#define READ_CHUNK_SIZE (64 * 1024)

G_DEFINE_FLAGS_TYPE (HeronAutoconfigMethods, heron_autoconfig_methods,
  G_DEFINE_ENUM_VALUE (HERON_AUTOCONFIG_METHOD_ISP, "isp"),
  G_DEFINE_ENUM_VALUE (HERON_AUTOCONFIG_METHOD_SRV, "srv"),
  G_DEFINE_ENUM_VALUE (HERON_AUTOCONFIG_METHOD_PROBE, "probe"))

struct _HeronAutoconfig
{
  GObject parent_instance;

  GStrv url_templates;
  GTlsDatabase *tls_database;
  HeronAutoconfigMethods methods;
  guint ports[4]; /* imap tls, imap starttls, smtp tls, smtp starttls */
  guint probe_timeout_ms;
  guint http_timeout_s;
};

G_DEFINE_FINAL_TYPE (HeronAutoconfig, heron_autoconfig, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_URL_TEMPLATES,
  PROP_TLS_DATABASE,
  PROP_METHODS,
  PROP_IMAP_TLS_PORT,
  PROP_IMAP_STARTTLS_PORT,
  PROP_SMTP_TLS_PORT,
  PROP_SMTP_STARTTLS_PORT,
  PROP_PROBE_TIMEOUT,
  PROP_HTTP_TIMEOUT,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
heron_autoconfig_finalize (GObject *object)
{
  HeronAutoconfig *self = HERON_AUTOCONFIG (object);

  g_clear_pointer (&self->url_templates, g_strfreev);
  g_clear_object (&self->tls_database);

  G_OBJECT_CLASS (heron_autoconfig_parent_class)->finalize (object);
}

static void
heron_autoconfig_get_property (GObject    *object,
                               guint       prop_id,
                               GValue     *value,
                               GParamSpec *pspec)
{
  HeronAutoconfig *self = HERON_AUTOCONFIG (object);

  switch (prop_id)
    {
    case PROP_URL_TEMPLATES:
      g_value_set_boxed (value, self->url_templates);
      break;
    case PROP_TLS_DATABASE:
      g_value_set_object (value, self->tls_database);
      break;
    case PROP_METHODS:
      g_value_set_flags (value, self->methods);
      break;
    case PROP_IMAP_TLS_PORT:
    case PROP_IMAP_STARTTLS_PORT:
    case PROP_SMTP_TLS_PORT:
    case PROP_SMTP_STARTTLS_PORT:
      g_value_set_uint (value, self->ports[prop_id - PROP_IMAP_TLS_PORT]);
      break;
    case PROP_PROBE_TIMEOUT:
      g_value_set_uint (value, self->probe_timeout_ms);
      break;
    case PROP_HTTP_TIMEOUT:
      g_value_set_uint (value, self->http_timeout_s);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
heron_autoconfig_set_property (GObject      *object,
                               guint         prop_id,
                               const GValue *value,
                               GParamSpec   *pspec)
{
  HeronAutoconfig *self = HERON_AUTOCONFIG (object);

  switch (prop_id)
    {
    case PROP_URL_TEMPLATES:
      heron_autoconfig_set_url_templates (self, g_value_get_boxed (value));
      break;
    case PROP_TLS_DATABASE:
      heron_autoconfig_set_tls_database (self, g_value_get_object (value));
      break;
    case PROP_METHODS:
      heron_autoconfig_set_methods (self, g_value_get_flags (value));
      break;
    case PROP_IMAP_TLS_PORT:
    case PROP_IMAP_STARTTLS_PORT:
    case PROP_SMTP_TLS_PORT:
    case PROP_SMTP_STARTTLS_PORT:
      if (self->ports[prop_id - PROP_IMAP_TLS_PORT] != g_value_get_uint (value))
        {
          self->ports[prop_id - PROP_IMAP_TLS_PORT] = g_value_get_uint (value);
          g_object_notify_by_pspec (object, pspec);
        }
      break;
    case PROP_PROBE_TIMEOUT:
      heron_autoconfig_set_probe_timeout (self, g_value_get_uint (value));
      break;
    case PROP_HTTP_TIMEOUT:
      if (self->http_timeout_s != g_value_get_uint (value))
        {
          self->http_timeout_s = g_value_get_uint (value);
          g_object_notify_by_pspec (object, pspec);
        }
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
heron_autoconfig_class_init (HeronAutoconfigClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  static const char * const port_names[] = {
    "imap-tls-port", "imap-starttls-port", "smtp-tls-port", "smtp-starttls-port",
  };
  static const guint default_ports[] = { 993, 143, 465, 587 };

  object_class->finalize = heron_autoconfig_finalize;
  object_class->get_property = heron_autoconfig_get_property;
  object_class->set_property = heron_autoconfig_set_property;

  properties[PROP_URL_TEMPLATES] =
    g_param_spec_boxed ("url-templates", NULL, NULL, G_TYPE_STRV,
                        G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_TLS_DATABASE] =
    g_param_spec_object ("tls-database", NULL, NULL, G_TYPE_TLS_DATABASE,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_METHODS] =
    g_param_spec_flags ("methods", NULL, NULL,
                        HERON_TYPE_AUTOCONFIG_METHODS, HERON_AUTOCONFIG_METHOD_ALL,
                        G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  for (guint i = 0; i < G_N_ELEMENTS (port_names); i++)
    properties[PROP_IMAP_TLS_PORT + i] =
      g_param_spec_uint (port_names[i], NULL, NULL, 1, G_MAXUINT16, default_ports[i],
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_PROBE_TIMEOUT] =
    g_param_spec_uint ("probe-timeout", NULL, NULL, 1, 600000, 4000,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_HTTP_TIMEOUT] =
    g_param_spec_uint ("http-timeout", NULL, NULL, 1, 600, 15,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
heron_autoconfig_init (HeronAutoconfig *self)
{
  const char * const templates[] = {
    HERON_AUTOCONFIG_URL_SUBDOMAIN,
    HERON_AUTOCONFIG_URL_WELL_KNOWN,
    NULL,
  };

  self->url_templates = g_strdupv ((char **) templates);
  self->methods = HERON_AUTOCONFIG_METHOD_ALL;
  self->ports[0] = 993;
  self->ports[1] = 143;
  self->ports[2] = 465;
  self->ports[3] = 587;
  self->probe_timeout_ms = 4000;
  self->http_timeout_s = 15;
}

HeronAutoconfig *
heron_autoconfig_new (void)
{
  return g_object_new (HERON_TYPE_AUTOCONFIG, NULL);
}

void
heron_autoconfig_set_url_templates (HeronAutoconfig    *self,
                                    const char * const *templates)
{
  static const char * const none[] = { NULL };

  g_return_if_fail (HERON_IS_AUTOCONFIG (self));

  if (templates == NULL)
    templates = none;
  if (g_strv_equal ((const char * const *) self->url_templates, templates))
    return;
  g_strfreev (self->url_templates);
  self->url_templates = g_strdupv ((char **) templates);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_URL_TEMPLATES]);
}

void
heron_autoconfig_set_tls_database (HeronAutoconfig *self,
                                   GTlsDatabase    *database)
{
  g_return_if_fail (HERON_IS_AUTOCONFIG (self));
  g_return_if_fail (database == NULL || G_IS_TLS_DATABASE (database));

  if (g_set_object (&self->tls_database, database))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TLS_DATABASE]);
}

void
heron_autoconfig_set_methods (HeronAutoconfig        *self,
                              HeronAutoconfigMethods  methods)
{
  g_return_if_fail (HERON_IS_AUTOCONFIG (self));

  methods &= HERON_AUTOCONFIG_METHOD_ALL;
  if (self->methods == methods)
    return;
  self->methods = methods;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_METHODS]);
}

void
heron_autoconfig_set_probe_ports (HeronAutoconfig *self,
                                  guint16          imap_tls_port,
                                  guint16          imap_starttls_port,
                                  guint16          smtp_tls_port,
                                  guint16          smtp_starttls_port)
{
  g_return_if_fail (HERON_IS_AUTOCONFIG (self));
  g_return_if_fail (imap_tls_port > 0 && imap_starttls_port > 0);
  g_return_if_fail (smtp_tls_port > 0 && smtp_starttls_port > 0);

  g_object_set (self,
                "imap-tls-port", (guint) imap_tls_port,
                "imap-starttls-port", (guint) imap_starttls_port,
                "smtp-tls-port", (guint) smtp_tls_port,
                "smtp-starttls-port", (guint) smtp_starttls_port,
                NULL);
}

void
heron_autoconfig_set_probe_timeout (HeronAutoconfig *self,
                                    guint            timeout_ms)
{
  g_return_if_fail (HERON_IS_AUTOCONFIG (self));
  g_return_if_fail (timeout_ms > 0);

  if (self->probe_timeout_ms == timeout_ms)
    return;
  self->probe_timeout_ms = timeout_ms;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PROBE_TIMEOUT]);
}

/* One discovery. */

typedef struct {
  HeronAutoconfigResult *result;
  char *address;
  char *domain;
  GStrv url_templates;
  HeronAutoconfigMethods methods;
  HeronAutoconfigProbeOptions probe_options;
  guint next_template;
  SoupSession *session;
  SoupMessage *message;
  char *url;
  guint redirects;              /* followed for the current document */
  GInputStream *body_stream;
  GByteArray *body;
} Discovery;

static void
discovery_free (Discovery *discovery)
{
  g_clear_object (&discovery->result);
  g_free (discovery->address);
  g_free (discovery->domain);
  g_strfreev (discovery->url_templates);
  g_clear_object (&discovery->probe_options.tls_database);
  g_clear_object (&discovery->session);
  g_clear_object (&discovery->message);
  g_free (discovery->url);
  g_clear_object (&discovery->body_stream);
  g_clear_pointer (&discovery->body, g_byte_array_unref);
  g_free (discovery);
}

static void try_next_document (GTask *task);
static void start_srv (GTask *task);

static gboolean
needs_more (Discovery *discovery)
{
  return !_heron_autoconfig_result_has_server (discovery->result, HERON_ACCOUNT_PROTOCOL_IMAP)
         || !_heron_autoconfig_result_has_server (discovery->result, HERON_ACCOUNT_PROTOCOL_SMTP);
}

/* TRUE (and the task returned) when the caller cancelled: stop at once. Any other failure of
 * a step, a timeout included, lets the next step run. */
static gboolean
stop_if_cancelled (GTask *task)
{
  return g_task_return_error_if_cancelled (task);
}

static void
finish (GTask *task)
{
  Discovery *discovery = g_task_get_task_data (task);

  if (!_heron_autoconfig_result_has_server (discovery->result, HERON_ACCOUNT_PROTOCOL_IMAP)
      && !_heron_autoconfig_result_has_server (discovery->result, HERON_ACCOUNT_PROTOCOL_SMTP))
    {
      g_autofree char *tried = g_strjoinv ("\n",
                                           (char **) heron_autoconfig_result_get_log (discovery->result));

      g_task_return_new_error (task, HERON_ACCOUNT_ERROR, HERON_ACCOUNT_ERROR_AUTOCONFIG_NOT_FOUND,
                               _("No mail server settings were found for %s. What was tried:\n%s"),
                               discovery->domain, tried);
      return;
    }

  g_task_return_pointer (task, g_object_ref (discovery->result), g_object_unref);
}

static void
document_failed (GTask      *task,
                 const char *reason)
{
  Discovery *discovery = g_task_get_task_data (task);

  _heron_autoconfig_result_log (discovery->result, _("Autoconfig: %s: %s"), discovery->url, reason);
  g_clear_object (&discovery->message);
  g_clear_object (&discovery->body_stream);
  g_clear_pointer (&discovery->body, g_byte_array_unref);
  try_next_document (task);
}

static void
document_received (GTask *task)
{
  Discovery *discovery = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  HeronAutoconfigDocument document = { NULL, };

  if (!_heron_autoconfig_parse_document ((const char *) discovery->body->data, discovery->body->len,
                                         discovery->address, &document, &error))
    {
      document_failed (task, error->message);
      return;
    }

  _heron_autoconfig_result_log (discovery->result, _("Autoconfig: %s: found %s%s%s"),
                                discovery->url,
                                document.imap != NULL ? "IMAP" : "",
                                document.imap != NULL && document.smtp != NULL ? " + " : "",
                                document.smtp != NULL ? "SMTP" : "");
  for (guint i = 0; i < document.notes->len; i++)
    _heron_autoconfig_result_log (discovery->result, "Autoconfig: %s",
                                  (const char *) g_ptr_array_index (document.notes, i));

  _heron_autoconfig_result_set_source_url (discovery->result, discovery->url, document.provider_name);
  if (document.imap != NULL)
    _heron_autoconfig_result_set_server (discovery->result, document.imap, HERON_AUTOCONFIG_SOURCE_ISP);
  if (document.smtp != NULL)
    _heron_autoconfig_result_set_server (discovery->result, document.smtp, HERON_AUTOCONFIG_SOURCE_ISP);
  _heron_autoconfig_document_clear (&document);

  /* The provider spoke: its document is the answer, and SRV or probing only fill a gap. */
  g_clear_object (&discovery->message);
  g_clear_object (&discovery->body_stream);
  g_clear_pointer (&discovery->body, g_byte_array_unref);
  start_srv (task);
}

static void
read_cb (GObject      *source_object,
         GAsyncResult *res,
         gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Discovery *discovery = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = NULL;

  bytes = g_input_stream_read_bytes_finish (G_INPUT_STREAM (source_object), res, &error);
  if (bytes == NULL)
    {
      if (!stop_if_cancelled (task))
        document_failed (task, error->message);
      return;
    }

  if (g_bytes_get_size (bytes) == 0)
    {
      document_received (task);
      return;
    }

  if (discovery->body->len + g_bytes_get_size (bytes) > MAX_DOCUMENT_SIZE)
    {
      document_failed (task, _("the document is larger than 1 MiB"));
      return;
    }
  g_byte_array_append (discovery->body, g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));

  g_input_stream_read_bytes_async (discovery->body_stream, READ_CHUNK_SIZE, G_PRIORITY_DEFAULT,
                                   g_task_get_cancellable (task), read_cb, g_object_ref (task));
}

static void send_document_request (GTask *task);

/* Redirects are followed by hand, so that every hop, not only the last, must be HTTPS: a plain
 * HTTP hop in the middle could be rewritten by anyone on the path. */
#define MAX_REDIRECTS 5

static void
send_cb (GObject      *source_object,
         GAsyncResult *res,
         gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Discovery *discovery = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  guint status;

  discovery->body_stream = soup_session_send_finish (SOUP_SESSION (source_object), res, &error);
  if (discovery->body_stream == NULL)
    {
      if (!stop_if_cancelled (task))
        document_failed (task, error->message);
      return;
    }

  status = soup_message_get_status (discovery->message);
  if (SOUP_STATUS_IS_REDIRECTION (status))
    {
      const char *location;
      g_autoptr(GUri) next = NULL;

      location = soup_message_headers_get_one (soup_message_get_response_headers (discovery->message),
                                               "Location");
      if (location != NULL)
        next = g_uri_parse_relative (soup_message_get_uri (discovery->message), location,
                                     SOUP_HTTP_URI_FLAGS, NULL);
      if (next == NULL)
        {
          document_failed (task, _("redirected to an invalid address"));
          return;
        }
      if (g_strcmp0 (g_uri_get_scheme (next), "https") != 0)
        {
          document_failed (task, _("redirected away from HTTPS"));
          return;
        }
      if (++discovery->redirects > MAX_REDIRECTS)
        {
          document_failed (task, _("too many redirects"));
          return;
        }
      g_clear_object (&discovery->body_stream);
      g_clear_object (&discovery->message);
      g_free (discovery->url);
      discovery->url = g_uri_to_string (next);
      send_document_request (task);
      return;
    }
  if (status != SOUP_STATUS_OK)
    {
      g_autofree char *reason = g_strdup_printf (_("HTTP %u %s"), status,
                                                 soup_message_get_reason_phrase (discovery->message));

      document_failed (task, reason);
      return;
    }

  discovery->body = g_byte_array_new ();
  g_input_stream_read_bytes_async (discovery->body_stream, READ_CHUNK_SIZE, G_PRIORITY_DEFAULT,
                                   g_task_get_cancellable (task), read_cb, g_object_ref (task));
}

static void
try_next_document (GTask *task)
{
  Discovery *discovery = g_task_get_task_data (task);
  const char *template;

  if (!(discovery->methods & HERON_AUTOCONFIG_METHOD_ISP)
      || discovery->url_templates[discovery->next_template] == NULL)
    {
      start_srv (task);
      return;
    }

  template = discovery->url_templates[discovery->next_template++];
  g_free (discovery->url);
  discovery->url = _heron_autoconfig_expand (template, discovery->address, TRUE);

  if (!g_str_has_prefix (discovery->url, "https://"))
    {
      document_failed (task, _("not an https: address"));
      return;
    }

  discovery->redirects = 0;
  send_document_request (task);
}

static void
send_document_request (GTask *task)
{
  Discovery *discovery = g_task_get_task_data (task);

  discovery->message = soup_message_new (SOUP_METHOD_GET, discovery->url);
  if (discovery->message == NULL)
    {
      document_failed (task, _("not a valid address"));
      return;
    }
  soup_message_add_flags (discovery->message, SOUP_MESSAGE_NO_REDIRECT);

  if (discovery->session == NULL)
    {
      HeronAutoconfig *self = g_task_get_source_object (task);

      discovery->session = soup_session_new_with_options ("timeout", self->http_timeout_s,
                                                          "user-agent", "Heron/" PACKAGE_VERSION,
                                                          NULL);
      if (self->tls_database != NULL)
        g_object_set (discovery->session, "tls-database", self->tls_database, NULL);
    }

  soup_session_send_async (discovery->session, discovery->message, G_PRIORITY_DEFAULT,
                           g_task_get_cancellable (task), send_cb, g_object_ref (task));
}

static void
probe_cb (GObject      *source_object,
          GAsyncResult *res,
          gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;

  if (!_heron_autoconfig_probe_finish (res, &error))
    {
      if (!stop_if_cancelled (task))
        g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  finish (task);
}

static void
start_probe (GTask *task)
{
  Discovery *discovery = g_task_get_task_data (task);

  if (!(discovery->methods & HERON_AUTOCONFIG_METHOD_PROBE) || !needs_more (discovery))
    {
      finish (task);
      return;
    }

  _heron_autoconfig_probe_async (discovery->result, discovery->domain, &discovery->probe_options,
                                 g_task_get_cancellable (task), probe_cb, g_object_ref (task));
}

static void
srv_cb (GObject      *source_object,
        GAsyncResult *res,
        gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;

  if (!_heron_autoconfig_srv_finish (res, &error))
    {
      if (!stop_if_cancelled (task))
        g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  start_probe (task);
}

static void
start_srv (GTask *task)
{
  Discovery *discovery = g_task_get_task_data (task);

  if (!(discovery->methods & HERON_AUTOCONFIG_METHOD_SRV) || !needs_more (discovery))
    {
      start_probe (task);
      return;
    }

  _heron_autoconfig_srv_async (discovery->result, discovery->domain, g_task_get_cancellable (task),
                               srv_cb, g_object_ref (task));
}

void
heron_autoconfig_discover_async (HeronAutoconfig     *self,
                                 const char          *address,
                                 const char          *real_name,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *domain = NULL;
  g_autofree char *trimmed = NULL;
  Discovery *discovery;

  g_return_if_fail (HERON_IS_AUTOCONFIG (self));
  g_return_if_fail (address != NULL);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, heron_autoconfig_discover_async);

  trimmed = g_strstrip (g_strdup (address));
  if (!_heron_autoconfig_split_address (trimmed, NULL, &domain, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  discovery = g_new0 (Discovery, 1);
  discovery->result = _heron_autoconfig_result_new (trimmed, real_name);
  discovery->address = g_steal_pointer (&trimmed);
  discovery->domain = g_steal_pointer (&domain);
  discovery->url_templates = g_strdupv (self->url_templates);
  discovery->methods = self->methods;
  discovery->probe_options.imap_tls_port = (guint16) self->ports[0];
  discovery->probe_options.imap_starttls_port = (guint16) self->ports[1];
  discovery->probe_options.smtp_tls_port = (guint16) self->ports[2];
  discovery->probe_options.smtp_starttls_port = (guint16) self->ports[3];
  discovery->probe_options.timeout_ms = self->probe_timeout_ms;
  discovery->probe_options.tls_database = self->tls_database != NULL
                                          ? g_object_ref (self->tls_database) : NULL;
  g_task_set_task_data (task, discovery, (GDestroyNotify) discovery_free);

  g_debug ("Looking for the servers of %s", discovery->domain);
  try_next_document (task);
}

HeronAutoconfigResult *
heron_autoconfig_discover_finish (HeronAutoconfig  *self,
                                  GAsyncResult     *result,
                                  GError          **error)
{
  g_return_val_if_fail (HERON_IS_AUTOCONFIG (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == heron_autoconfig_discover_async,
                        NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
