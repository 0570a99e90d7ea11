/* heron-test-server-oauth.c: the OAuth2 token introspection endpoint Dovecot checks tokens with
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Dovecot's oauth2 passdb (mechanisms XOAUTH2 and OAUTHBEARER, for IMAP and, through Dovecot
 * SASL, for Postfix's submission) asks an introspection endpoint (RFC 7662) about every token
 * it is given: "POST /introspect" with the form body "token=<token>" (introspection_mode =
 * post). The harness answers from its own table: {"active":true,"username":"<user>"} for a
 * token it issued and has not revoked, {"active":false} for anything else. Dovecot accepts the
 * login only when "active" is "true" and "username" is the user who logs in.
 *
 * The endpoint is a small HTTP/1.1 server on 127.0.0.1 (an ephemeral port, bound before the
 * Dovecot configuration is written, so it cannot be taken meanwhile), running on a thread of
 * its own: the test's thread may be blocked in a synchronous helper or waiting in its own main
 * loop while Dovecot asks. One request per connection ("Connection: close"); requests are
 * answered one after the other, which is plenty for tests.
 */

#include "heron-test-server-private.h"

#include <string.h>

#define REQUEST_MAX_BYTES (64 * 1024)
#define IO_TIMEOUT_S 10

typedef struct {
  char    *user;
  gboolean active;
  guint    hits;
} OAuthToken;

struct _HeronTestOAuth {
  GSocket      *listener;
  guint16       port;
  GThread      *thread;
  GCancellable *cancellable;

  GMutex        lock;        /* guards what follows */
  GHashTable   *tokens;      /* token -> OAuthToken */
  guint         hits;        /* every introspection request */
};

static void
oauth_token_free (OAuthToken *token)
{
  g_free (token->user);
  g_free (token);
}

static gboolean
send_all (GSocket      *socket,
          const char   *data,
          gsize         len,
          GCancellable *cancellable)
{
  while (len > 0)
    {
      gssize n = g_socket_send (socket, data, len, cancellable, NULL);

      if (n <= 0)
        return FALSE;
      data += n;
      len -= n;
    }
  return TRUE;
}

/* Reads one request (head and body) from the connection; NULL on a malformed or cut request. */
static GByteArray *
read_request (GSocket  *socket,
              gsize    *out_head_len,
              gsize    *out_content_length,
              gboolean *out_expects_continue,
              GCancellable *cancellable)
{
  g_autoptr(GByteArray) data = g_byte_array_new ();
  gsize head_len = 0;
  gsize content_length = 0;
  gboolean continue_sent = FALSE;
  gboolean expects_continue = FALSE;

  for (;;)
    {
      guint8 buffer[4096];
      gssize n;

      if (head_len == 0 && data->len > 0)
        {
          const char *end = g_strstr_len ((const char *) data->data, data->len, "\r\n\r\n");

          if (end != NULL)
            {
              g_autofree char *head = NULL;
              g_auto(GStrv) lines = NULL;

              head_len = end + 4 - (const char *) data->data;
              head = g_strndup ((const char *) data->data, head_len);
              lines = g_strsplit (head, "\r\n", -1);
              for (guint i = 1; lines[i] != NULL; i++)
                {
                  const char *colon = strchr (lines[i], ':');
                  g_autofree char *name = NULL;
                  const char *value;

                  if (colon == NULL)
                    continue;
                  name = g_ascii_strdown (lines[i], colon - lines[i]);
                  value = colon + 1;
                  while (*value == ' ' || *value == '\t')
                    value++;
                  if (strcmp (name, "content-length") == 0)
                    {
                      guint64 length;

                      if (!g_ascii_string_to_unsigned (value, 10, 0, REQUEST_MAX_BYTES, &length, NULL))
                        return NULL;
                      content_length = length;
                    }
                  else if (strcmp (name, "expect") == 0 && g_ascii_strcasecmp (value, "100-continue") == 0)
                    expects_continue = TRUE;
                }
            }
        }

      if (head_len != 0)
        {
          if (data->len >= head_len + content_length)
            break;
          if (expects_continue && !continue_sent)
            {
              static const char interim[] = "HTTP/1.1 100 Continue\r\n\r\n";

              if (!send_all (socket, interim, sizeof interim - 1, cancellable))
                return NULL;
              continue_sent = TRUE;
            }
        }

      if (data->len >= REQUEST_MAX_BYTES)
        return NULL;
      n = g_socket_receive (socket, (char *) buffer, sizeof buffer, cancellable, NULL);
      if (n <= 0)
        return NULL;
      g_byte_array_append (data, buffer, n);
    }

  *out_head_len = head_len;
  *out_content_length = content_length;
  *out_expects_continue = expects_continue;
  return g_steal_pointer (&data);
}

static char *
json_string (const char *text)
{
  GString *json = g_string_new ("\"");

  for (const char *p = text; *p != '\0'; p++)
    {
      if (*p == '"' || *p == '\\')
        g_string_append_printf (json, "\\%c", *p);
      else if ((guchar) *p < 0x20)
        g_string_append_printf (json, "\\u%04x", (guint) (guchar) *p);
      else
        g_string_append_c (json, *p);
    }
  g_string_append_c (json, '"');
  return g_string_free (json, FALSE);
}

/* The JSON answer for a request body (application/x-www-form-urlencoded). */
static char *
introspect (HeronTestOAuth *oauth,
            const char     *body)
{
  g_autoptr(GHashTable) params = NULL;
  const char *token = NULL;
  char *answer = NULL;

  params = g_uri_parse_params (body, -1, "&", G_URI_PARAMS_WWW_FORM, NULL);
  if (params != NULL)
    token = g_hash_table_lookup (params, "token");

  g_mutex_lock (&oauth->lock);
  oauth->hits++;
  if (token != NULL)
    {
      OAuthToken *entry = g_hash_table_lookup (oauth->tokens, token);

      if (entry != NULL)
        {
          entry->hits++;
          if (entry->active)
            {
              g_autofree char *user = json_string (entry->user);
              answer = g_strdup_printf ("{\"active\":true,\"username\":%s,\"token_type\":\"Bearer\","
                                        "\"scope\":\"mail\"}", user);
            }
        }
    }
  g_mutex_unlock (&oauth->lock);

  return answer != NULL ? answer : g_strdup ("{\"active\":false}");
}

static void
serve_connection (HeronTestOAuth *oauth,
                  GSocket        *socket)
{
  g_autoptr(GByteArray) request = NULL;
  g_autofree char *body = NULL;
  g_autofree char *answer = NULL;
  g_autofree char *response = NULL;
  const char *status = "200 OK";
  gsize head_len, content_length;
  gboolean expects_continue;

  g_socket_set_timeout (socket, IO_TIMEOUT_S);
  request = read_request (socket, &head_len, &content_length, &expects_continue, oauth->cancellable);
  if (request == NULL)
    return;

  if (!g_str_has_prefix ((const char *) request->data, "POST /introspect "))
    {
      status = "404 Not Found";
      answer = g_strdup ("{\"error\":\"not_found\"}");
    }
  else
    {
      body = g_strndup ((const char *) request->data + head_len, content_length);
      answer = introspect (oauth, body);
    }

  response = g_strdup_printf ("HTTP/1.1 %s\r\n"
                              "Content-Type: application/json\r\n"
                              "Content-Length: %zu\r\n"
                              "Cache-Control: no-store\r\n"
                              "Connection: close\r\n"
                              "\r\n"
                              "%s",
                              status, strlen (answer), answer);
  send_all (socket, response, strlen (response), oauth->cancellable);
  g_socket_shutdown (socket, FALSE, TRUE, NULL);
}

static gpointer
oauth_thread (gpointer data)
{
  HeronTestOAuth *oauth = data;

  while (!g_cancellable_is_cancelled (oauth->cancellable))
    {
      g_autoptr(GSocket) socket = NULL;
      g_autoptr(GError) error = NULL;

      socket = g_socket_accept (oauth->listener, oauth->cancellable, &error);
      if (socket == NULL)
        {
          if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
            g_debug ("OAuth introspection endpoint: accept failed: %s", error->message);
          continue;
        }
      serve_connection (oauth, socket);
      g_socket_close (socket, NULL);
    }
  return NULL;
}

gboolean
_heron_test_server_oauth_start (HeronTestServer  *self,
                                GError          **error)
{
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) bound = NULL;
  HeronTestOAuth *oauth;

  g_assert (self->oauth == NULL);

  oauth = g_new0 (HeronTestOAuth, 1);
  g_mutex_init (&oauth->lock);
  oauth->tokens = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                         (GDestroyNotify) oauth_token_free);
  oauth->cancellable = g_cancellable_new ();
  self->oauth = oauth;

  oauth->listener = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM,
                                  G_SOCKET_PROTOCOL_TCP, error);
  if (oauth->listener == NULL ||
      !g_socket_bind (oauth->listener, address, TRUE, error) ||
      !g_socket_listen (oauth->listener, error))
    return FALSE;
  bound = g_socket_get_local_address (oauth->listener, error);
  if (bound == NULL)
    return FALSE;
  oauth->port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
  oauth->thread = g_thread_new ("heron-test-oauth", oauth_thread, oauth);
  return TRUE;
}

void
_heron_test_server_oauth_stop (HeronTestServer *self)
{
  HeronTestOAuth *oauth = g_steal_pointer (&self->oauth);

  if (oauth == NULL)
    return;
  g_cancellable_cancel (oauth->cancellable);
  if (oauth->thread != NULL)
    g_thread_join (oauth->thread);
  if (oauth->listener != NULL)
    g_socket_close (oauth->listener, NULL);
  g_clear_object (&oauth->listener);
  g_clear_object (&oauth->cancellable);
  g_hash_table_unref (oauth->tokens);
  g_mutex_clear (&oauth->lock);
  g_free (oauth);
}

char *
_heron_test_server_oauth_conf (HeronTestServer *self)
{
  g_assert (self->oauth != NULL);

  return g_strdup_printf (
    "# Written by the Heron test harness (tests/servers): Dovecot's oauth2 passdb asks the\n"
    "# harness's token introspection endpoint (RFC 7662) about every token.\n"
    "introspection_mode = post\n"
    "introspection_url = http://127.0.0.1:%u/introspect\n"
    "username_attribute = username\n"
    "active_attribute = active\n"
    "active_value = true\n",
    (guint) self->oauth->port);
}

char *
heron_test_server_add_oauth_token (HeronTestServer  *self,
                                   const char       *user,
                                   const char       *token,
                                   GError          **error)
{
  HeronTestUser *found;
  OAuthToken *entry;
  char *issued;

  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (user != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  found = _heron_test_server_find_user (self, user);
  if (found == NULL)
    {
      g_set_error (error, HERON_TEST_SERVER_ERROR, HERON_TEST_SERVER_ERROR_NOT_FOUND,
                   "There is no user %s to issue a token for", user);
      return NULL;
    }
  if (token != NULL)
    {
      /* What SASL and a form body carry without trouble (RFC 6750's b64token, roughly). */
      if (*token == '\0' || strspn (token, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                                           "0123456789-._~+/=") != strlen (token))
        {
          g_set_error (error, HERON_TEST_SERVER_ERROR, HERON_TEST_SERVER_ERROR_FAILED,
                       "A test token must be non-empty and made of letters, digits and "
                       "- . _ ~ + / =");
          return NULL;
        }
      issued = g_strdup (token);
    }
  else
    {
      g_autofree char *random = g_uuid_string_random ();
      issued = g_strdup_printf ("heron-test-token-%s", random);
    }

  entry = g_new0 (OAuthToken, 1);
  entry->user = g_strdup (found->address);
  entry->active = TRUE;

  g_mutex_lock (&self->oauth->lock);
  if (g_hash_table_contains (self->oauth->tokens, issued))
    {
      g_mutex_unlock (&self->oauth->lock);
      oauth_token_free (entry);
      g_set_error (error, HERON_TEST_SERVER_ERROR, HERON_TEST_SERVER_ERROR_FAILED,
                   "That token was issued already");
      g_free (issued);
      return NULL;
    }
  g_hash_table_insert (self->oauth->tokens, g_strdup (issued), entry);
  g_mutex_unlock (&self->oauth->lock);
  return issued;
}

gboolean
heron_test_server_revoke_oauth_token (HeronTestServer  *self,
                                      const char       *token,
                                      GError          **error)
{
  OAuthToken *entry;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (token != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  g_mutex_lock (&self->oauth->lock);
  entry = g_hash_table_lookup (self->oauth->tokens, token);
  if (entry != NULL)
    entry->active = FALSE;
  g_mutex_unlock (&self->oauth->lock);

  if (entry == NULL)
    {
      g_set_error (error, HERON_TEST_SERVER_ERROR, HERON_TEST_SERVER_ERROR_NOT_FOUND,
                   "No such token was issued");
      return FALSE;
    }
  return TRUE;
}

guint
heron_test_server_get_oauth_introspections (HeronTestServer *self,
                                            const char      *token)
{
  guint hits = 0;

  g_return_val_if_fail (self != NULL, 0);

  g_mutex_lock (&self->oauth->lock);
  if (token == NULL)
    hits = self->oauth->hits;
  else
    {
      OAuthToken *entry = g_hash_table_lookup (self->oauth->tokens, token);
      hits = entry != NULL ? entry->hits : 0;
    }
  g_mutex_unlock (&self->oauth->lock);
  return hits;
}
