/* heron-cli-send.c: heron-cli send: compose (or take) a message and submit it over SMTP
 *
 * Copyright 2026 The Heron developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>
#include <gio/gunixinputstream.h>
#include <string.h>

#include "heron-cli.h"
#include "mime/heron-mime.h"
#include "smtp/heron-smtp-client.h"
#include "store/heron-store.h"
#include "sync/heron-account-worker.h"

typedef struct {
  char *account;
  char **to;
  char **cc;
  char **bcc;
  char *subject;
  char *body_file;
  char **attach;
  char *file;
  gboolean json;
  gboolean queue;
} SendOptions;

static void
send_options_clear (SendOptions *options)
{
  g_free (options->account);
  g_strfreev (options->to);
  g_strfreev (options->cc);
  g_strfreev (options->bcc);
  g_free (options->subject);
  g_free (options->body_file);
  g_strfreev (options->attach);
  g_free (options->file);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (SendOptions, send_options_clear)

/* The account named by --account, or the only one; NULL with *exit_code set otherwise. */
static HeronAccountConfig *
choose_account (HeronCli                *cli,
                HeronAccountConfigStore *store,
                const char              *id,
                int                     *exit_code)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (store));

  if (id != NULL)
    {
      HeronAccountConfig *config = heron_account_config_store_lookup (store, id);

      if (config == NULL)
        *exit_code = heron_cli_fail (cli, HERON_CLI_EXIT_NOT_FOUND, _("There is no account “%s”"), id);
      return config != NULL ? g_object_ref (config) : NULL;
    }
  if (n == 0)
    {
      *exit_code = heron_cli_fail (cli, HERON_CLI_EXIT_NOT_FOUND, _("There is no account; add one with heron-cli account add"));
      return NULL;
    }
  if (n > 1)
    {
      *exit_code = heron_cli_fail (cli, HERON_CLI_EXIT_USAGE, _("There are %u accounts: choose one with --account"), n);
      return NULL;
    }
  return g_list_model_get_item (G_LIST_MODEL (store), 0);
}

/* Adds each "Name <address>" or "address" of @values to @list; FALSE when one has no address. */
static gboolean
add_recipients (GPtrArray  *list,
                char      **values,
                GError    **error)
{
  for (guint i = 0; values != NULL && values[i] != NULL; i++)
    {
      g_autoptr(GPtrArray) parsed = heron_mime_address_list_parse (values[i], -1);

      for (guint j = 0; j < parsed->len; j++)
        {
          HeronMimeAddress *address = g_ptr_array_index (parsed, j);

          if (!heron_account_address_is_valid (address->address))
            {
              g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                           _("“%s” is not an e-mail address"), values[i]);
              return FALSE;
            }
          heron_mime_composition_add_recipient (list, address->name, address->address);
        }
      if (parsed->len == 0)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                       _("“%s” is not an e-mail address"), values[i]);
          return FALSE;
        }
    }
  return TRUE;
}

/* The body text: UTF-8, LF line ends. */
static char *
read_body (const char  *body_file,
           GError     **error)
{
  g_autofree char *contents = NULL;
  gsize length = 0;
  g_auto(GStrv) lines = NULL;

  if (body_file != NULL)
    {
      g_autoptr(GFile) file = g_file_new_for_commandline_arg (body_file);

      if (!g_file_load_contents (file, NULL, &contents, &length, NULL, error))
        return NULL;
    }
  else
    {
      g_autoptr(GInputStream) in = g_unix_input_stream_new (0, FALSE);
      g_autoptr(GOutputStream) out = g_memory_output_stream_new_resizable ();

      if (g_output_stream_splice (out, in, G_OUTPUT_STREAM_SPLICE_CLOSE_TARGET, NULL, error) < 0)
        return NULL;
      length = g_memory_output_stream_get_data_size (G_MEMORY_OUTPUT_STREAM (out));
      contents = g_memory_output_stream_steal_data (G_MEMORY_OUTPUT_STREAM (out));
      contents = g_realloc (contents, length + 1);
      contents[length] = '\0';
    }
  if (!g_utf8_validate_len (contents, length, NULL))
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                           _("The body is not UTF-8 text"));
      return NULL;
    }
  lines = g_strsplit (contents, "\r\n", -1);
  return g_strjoinv ("\n", lines);
}

static HeronMimeOutgoing *
compose (HeronAccountConfig *config,
         SendOptions        *options,
         HeronMimeBuildFlags flags,
         HeronCliExit       *code,
         GError            **error)
{
  g_autoptr(HeronMimeComposition) composition =
    heron_mime_composition_new (heron_account_config_get_primary_identity (config));

  *code = HERON_CLI_EXIT_USAGE;
  if (!add_recipients (composition->to, options->to, error) ||
      !add_recipients (composition->cc, options->cc, error) ||
      !add_recipients (composition->bcc, options->bcc, error))
    return NULL;
  for (guint i = 0; options->attach != NULL && options->attach[i] != NULL; i++)
    {
      g_autoptr(GFile) file = g_file_new_for_commandline_arg (options->attach[i]);

      if (!g_file_query_exists (file, NULL))
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, _("No file “%s” to attach"), options->attach[i]);
          return NULL;
        }
      g_ptr_array_add (composition->attachments, heron_mime_compose_attachment_new_for_file (file));
    }

  *code = HERON_CLI_EXIT_FAILURE;
  composition->subject = g_strdup (options->subject);
  composition->body = read_body (options->body_file, error);
  if (composition->body == NULL)
    return NULL;
  return heron_mime_composition_build (composition, flags, NULL, error);
}

/* A message file sent as it is: the envelope recipients from its To, Cc and Bcc. */
static HeronMimeOutgoing *
load_message (HeronAccountConfig *config,
              const char         *path,
              GError            **error)
{
  g_autoptr(GFile) file = g_file_new_for_commandline_arg (path);
  g_autoptr(HeronMimeMessage) message = NULL;
  g_autoptr(GStrvBuilder) recipients = g_strv_builder_new ();
  g_autoptr(HeronMimeOutgoing) outgoing = g_new0 (HeronMimeOutgoing, 1);
  GPtrArray *lists[3];
  const char *message_id;

  message = heron_mime_message_new_from_file (file, NULL, error);
  if (message == NULL)
    return NULL;
  lists[0] = heron_mime_message_get_to (message);
  lists[1] = heron_mime_message_get_cc (message);
  lists[2] = heron_mime_message_get_bcc (message);
  for (guint l = 0; l < G_N_ELEMENTS (lists); l++)
    for (guint i = 0; i < lists[l]->len; i++)
      {
        HeronMimeAddress *address = g_ptr_array_index (lists[l], i);

        if (*address->address != '\0')
          g_strv_builder_add (recipients, address->address);
      }
  outgoing->recipients = g_strv_builder_end (recipients);
  if (outgoing->recipients[0] == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   _("“%s” has no recipients in To, Cc or Bcc"), path);
      return NULL;
    }
  outgoing->message = heron_mime_message_get_raw (message);
  message_id = heron_mime_message_get_message_id (message);
  outgoing->message_id = g_strdup (message_id != NULL ? message_id : "");
  outgoing->envelope_from =
    g_strdup (heron_account_identity_get_address (heron_account_config_get_primary_identity (config)));
  return g_steal_pointer (&outgoing);
}

static gboolean
smtp_settings_from_account (HeronAccountConfig      *config,
                            HeronSmtpClientSettings *settings,
                            GError                 **error)
{
  HeronAccountServer *server = heron_account_config_get_smtp (config);
  g_autoptr(GAsyncResult) result = NULL;
  char *password;

  if (heron_account_server_get_auth (server) != HERON_ACCOUNT_AUTH_PASSWORD)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                           _("heron-cli sends only with password accounts; this one uses OAuth2"));
      return FALSE;
    }

  settings->host = g_strdup (heron_account_server_get_host (server));
  settings->port = heron_account_server_get_effective_port (server);
  switch (heron_account_server_get_security (server))
    {
    case HERON_ACCOUNT_SECURITY_STARTTLS:
      settings->security = HERON_SMTP_SECURITY_STARTTLS;
      break;
    case HERON_ACCOUNT_SECURITY_NONE:
      settings->security = HERON_SMTP_SECURITY_NONE;
      break;
    case HERON_ACCOUNT_SECURITY_TLS:
    default:
      settings->security = HERON_SMTP_SECURITY_TLS;
      break;
    }
  settings->allow_plaintext = heron_account_server_get_allow_plaintext_on_loopback (server);
  settings->pinned_certificate = heron_account_server_dup_pinned_certificate (server, error);
  if (settings->pinned_certificate == NULL && error != NULL && *error != NULL)
    return FALSE;
  settings->user = g_strdup (heron_account_server_get_user (server));

  heron_secrets_lookup_async (heron_account_config_get_id (config), HERON_ACCOUNT_PROTOCOL_SMTP,
                              settings->host, settings->user, NULL, heron_cli_async_done, &result);
  heron_cli_wait (&result);
  password = heron_secrets_lookup_finish (result, error);
  if (password == NULL)
    {
      if (error != NULL && *error == NULL)
        g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                     _("The keyring holds no password for %s on %s"), settings->user, settings->host);
      return FALSE;
    }
  settings->password = g_strdup (password);
  heron_secrets_free (password);
  return TRUE;
}

static void
print_result (HeronCli            *cli,
              HeronMimeOutgoing   *outgoing,
              HeronSmtpSendResult *result)
{
  g_autofree char *queue_id = heron_smtp_send_result_dup_queue_id (result);
  guint n = heron_smtp_send_result_get_n_recipients (result);

  if (cli->json)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();
      g_autoptr(JsonNode) root = NULL;

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "message-id");
      json_builder_add_string_value (builder, outgoing->message_id);
      json_builder_set_member_name (builder, "queue-id");
      if (queue_id != NULL)
        json_builder_add_string_value (builder, queue_id);
      else
        json_builder_add_null_value (builder);
      json_builder_set_member_name (builder, "recipients");
      json_builder_begin_array (builder);
      for (guint i = 0; i < n; i++)
        {
          HeronSmtpReply *reply = heron_smtp_send_result_get_recipient_reply (result, i);

          json_builder_begin_object (builder);
          json_builder_set_member_name (builder, "address");
          json_builder_add_string_value (builder, heron_smtp_send_result_get_recipient (result, i));
          json_builder_set_member_name (builder, "accepted");
          json_builder_add_boolean_value (builder, heron_smtp_send_result_is_accepted (result, i));
          json_builder_set_member_name (builder, "code");
          json_builder_add_int_value (builder, reply != NULL ? heron_smtp_reply_get_code (reply) : 0);
          json_builder_set_member_name (builder, "reply");
          json_builder_add_string_value (builder, reply != NULL ? heron_smtp_reply_get_text (reply) : "");
          json_builder_end_object (builder);
        }
      json_builder_end_array (builder);
      json_builder_end_object (builder);
      root = json_builder_get_root (builder);
      heron_cli_print_json (root);
      return;
    }

  for (guint i = 0; i < n; i++)
    {
      HeronSmtpReply *reply = heron_smtp_send_result_get_recipient_reply (result, i);

      g_print ("%s %s: %u %s\n",
               heron_smtp_send_result_is_accepted (result, i) ? _("accepted") : _("refused"),
               heron_smtp_send_result_get_recipient (result, i),
               reply != NULL ? heron_smtp_reply_get_code (reply) : 0,
               reply != NULL ? heron_smtp_reply_get_text (reply) : "");
    }
  g_print ("%s %s\n", _("Message-ID:"), outgoing->message_id);
  g_print ("%s %s\n", _("Queued as:"), queue_id != NULL ? queue_id : _("(the server gave no id)"));
}

/* ---- --queue: through the account's outbox ---- */

/* At most the SMTP client's own longest wait (the reply to the end of the message) and then some */
#define QUEUE_TIMEOUT_MS (15 * 60 * 1000)

typedef struct {
  const char     *message_id;
  HeronSyncEvent *outcome;      /* SENT or SEND_FAILED of the message */
  GError         *cache_error;  /* the worker could not open the cache */
  gboolean        expired;
} QueueWait;

static void
on_queue_event (HeronAccountWorker *worker,
                HeronSyncEvent     *event,
                gpointer            user_data)
{
  QueueWait *wait = user_data;

  if ((event->kind == HERON_SYNC_EVENT_SENT || event->kind == HERON_SYNC_EVENT_SEND_FAILED) &&
      wait->outcome == NULL && g_strcmp0 (event->message_id, wait->message_id) == 0)
    wait->outcome = heron_sync_event_copy (event);
  else if (event->kind == HERON_SYNC_EVENT_ERROR && event->folder == NULL && event->error != NULL &&
           event->error->domain == HERON_STORE_ERROR && wait->cache_error == NULL)
    wait->cache_error = g_error_copy (event->error);
  else
    return;
  g_main_context_wakeup (NULL);
}

static gboolean
on_queue_deadline (gpointer user_data)
{
  QueueWait *wait = user_data;

  wait->expired = TRUE;
  g_main_context_wakeup (NULL);
  return G_SOURCE_REMOVE;
}

static int
print_queue_outcome (HeronCli       *cli,
                     const char     *message_id,
                     HeronSyncEvent *event)
{
  gboolean sent = event->kind == HERON_SYNC_EVENT_SENT;
  gboolean retried = !sent && heron_smtp_error_is_transient (event->error);

  if (cli->json)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();
      g_autoptr(JsonNode) root = NULL;

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "message-id");
      json_builder_add_string_value (builder, message_id);
      json_builder_set_member_name (builder, "state");
      json_builder_add_string_value (builder, sent ? "sent" : retried ? "queued" : "failed");
      json_builder_set_member_name (builder, "error");
      if (event->error != NULL)
        json_builder_add_string_value (builder, event->error->message);
      else
        json_builder_add_null_value (builder);
      json_builder_end_object (builder);
      root = json_builder_get_root (builder);
      heron_cli_print_json (root);
    }
  else if (sent)
    {
      g_print ("%s %s\n", _("Sent:"), message_id);
      if (event->error != NULL)
        g_print ("%s\n", event->error->message);
    }

  if (sent)
    return HERON_CLI_EXIT_OK;
  if (!cli->json)
    {
      if (retried)
        g_printerr (_("Not sent yet: %s\nIt stays in the outbox and is sent the next time Heron "
                      "runs for this account.\n"), event->error->message);
      else
        g_printerr (_("Not sent: %s\nIt stays in the outbox (see heron-cli outbox).\n"),
                    event->error->message);
    }
  return HERON_CLI_EXIT_FAILURE;
}

/* Hands the message to the account's outbox and waits until it was sent or failed. */
static int
send_queued (HeronCli           *cli,
             HeronAccountConfig *config,
             GBytes             *message,
             const char         *message_id)
{
  HeronAccountWorkerOptions options;
  g_autoptr(HeronAccountWorker) worker = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  QueueWait wait = { message_id, NULL, NULL, FALSE };
  guint timeout_id;
  int status;

  heron_account_worker_options_init (&options);
  options.idle = FALSE;
  worker = heron_account_worker_new (config, &options, &error);
  if (worker == NULL)
    return heron_cli_fail_error (cli, HERON_CLI_EXIT_FAILURE, error);
  g_signal_connect (worker, "event", G_CALLBACK (on_queue_event), &wait);
  heron_account_worker_start (worker);

  heron_account_worker_send_async (worker, message, NULL, heron_cli_async_done, &result);
  while (result == NULL && wait.cache_error == NULL)
    g_main_context_iteration (NULL, TRUE);
  if (result == NULL)
    {
      heron_account_worker_stop (worker);
      heron_cli_wait (&result);
      status = heron_cli_fail_error (cli, HERON_CLI_EXIT_FAILURE, wait.cache_error);
      g_clear_error (&wait.cache_error);
      return status;
    }
  if (!heron_account_worker_send_finish (worker, result, &error))
    return heron_cli_fail_error (cli, HERON_CLI_EXIT_FAILURE, error);

  timeout_id = g_timeout_add (QUEUE_TIMEOUT_MS, on_queue_deadline, &wait);
  while (wait.outcome == NULL && !wait.expired)
    g_main_context_iteration (NULL, TRUE);
  if (!wait.expired)
    g_source_remove (timeout_id);
  if (wait.outcome == NULL)
    return heron_cli_fail (cli, HERON_CLI_EXIT_FAILURE,
                           _("The message was not sent in time; it stays in the outbox"));

  if (wait.outcome->kind == HERON_SYNC_EVENT_SENT)
    heron_cli_wait_for_sent_copy (worker, message_id, HERON_CLI_FILE_COPY_TIMEOUT_MS);
  status = print_queue_outcome (cli, message_id, wait.outcome);
  heron_account_worker_stop (worker);
  g_clear_pointer (&wait.outcome, heron_sync_event_free);
  return status;
}

/* A message file without a Message-ID gets one here, so that its outcome can be followed. */
static GBytes *
with_message_id (GBytes     *message,
                 const char *sender,
                 char      **out_message_id)
{
  g_autoptr(HeronMimeMessage) parsed = heron_mime_message_new_from_bytes (message, NULL);
  const char *id = parsed != NULL ? heron_mime_message_get_message_id (parsed) : NULL;
  g_autofree char *uuid = NULL;
  const char *at = strrchr (sender, '@');
  GByteArray *bytes;
  g_autofree char *header = NULL;

  if (id != NULL && *id != '\0')
    {
      *out_message_id = g_strdup (id);
      return g_bytes_ref (message);
    }
  uuid = g_uuid_string_random ();
  *out_message_id = g_strdup_printf ("%s@%s", uuid, at != NULL && at[1] != '\0' ? at + 1 : "localhost");
  header = g_strdup_printf ("Message-ID: <%s>\r\n", *out_message_id);
  bytes = g_byte_array_new ();
  g_byte_array_append (bytes, (const guint8 *) header, strlen (header));
  g_byte_array_append (bytes, g_bytes_get_data (message, NULL), g_bytes_get_size (message));
  return g_byte_array_free_to_bytes (bytes);
}

/* ---- heron-cli outbox ---- */

static void
print_outbox_json (GPtrArray *entries)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;

  json_builder_begin_array (builder);
  for (guint i = 0; i < entries->len; i++)
    {
      HeronStoreOutboxEntry *entry = g_ptr_array_index (entries, i);

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "id");
      json_builder_add_int_value (builder, entry->id);
      json_builder_set_member_name (builder, "message-id");
      json_builder_add_string_value (builder, entry->message_id);
      json_builder_set_member_name (builder, "state");
      json_builder_add_string_value (builder, heron_store_outbox_state_to_string (entry->state));
      json_builder_set_member_name (builder, "subject");
      json_builder_add_string_value (builder, entry->subject != NULL ? entry->subject : "");
      json_builder_set_member_name (builder, "sender");
      json_builder_add_string_value (builder, entry->sender);
      json_builder_set_member_name (builder, "recipients");
      json_builder_begin_array (builder);
      for (guint r = 0; entry->recipients[r] != NULL; r++)
        json_builder_add_string_value (builder, entry->recipients[r]);
      json_builder_end_array (builder);
      json_builder_set_member_name (builder, "attempts");
      json_builder_add_int_value (builder, entry->attempts);
      json_builder_set_member_name (builder, "error");
      if (entry->error != NULL)
        json_builder_add_string_value (builder, entry->error);
      else
        json_builder_add_null_value (builder);
      json_builder_set_member_name (builder, "next-attempt");
      if (entry->state == HERON_STORE_OUTBOX_QUEUED && entry->next_attempt > 0)
        {
          g_autoptr(GDateTime) when = g_date_time_new_from_unix_utc (entry->next_attempt / G_USEC_PER_SEC);
          g_autofree char *text = g_date_time_format_iso8601 (when);

          json_builder_add_string_value (builder, text);
        }
      else
        json_builder_add_null_value (builder);
      json_builder_set_member_name (builder, "size");
      json_builder_add_int_value (builder, (gint64) entry->size);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
  root = json_builder_get_root (builder);
  heron_cli_print_json (root);
}

int
heron_cli_outbox (HeronCli *cli,
                  int       argc,
                  char    **argv)
{
  gboolean json = FALSE;
  const GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print the entries as JSON"), NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new (_("[ACCOUNT] — messages waiting to be sent"));
  g_autoptr(HeronAccountConfigStore) store = NULL;
  g_autoptr(HeronAccountConfig) config = NULL;
  g_autoptr(GPtrArray) outbox = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  int exit_code = HERON_CLI_EXIT_OK;

  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  g_option_context_set_summary (context,
                                _("Lists the account's outbox from its cache: messages queued, being "
                                  "sent, refused, or that may have been sent, with their recipients, "
                                  "attempts and last error."));
  if (!g_option_context_parse (context, &argc, &argv, &error))
    return heron_cli_fail_error (cli, HERON_CLI_EXIT_USAGE, error);
  if (argc > 2)
    return heron_cli_fail (cli, HERON_CLI_EXIT_USAGE, _("Unexpected argument “%s”"), argv[2]);

  store = heron_account_config_store_new ();
  if (!heron_account_config_store_load (store, NULL, &error))
    return heron_cli_fail_error (cli, HERON_CLI_EXIT_FAILURE, error);
  config = choose_account (cli, store, argc == 2 ? argv[1] : NULL, &exit_code);
  if (config == NULL)
    return exit_code;

  path = heron_store_dup_default_path (heron_account_config_get_id (config));
  if (g_file_test (path, G_FILE_TEST_EXISTS))
    {
      outbox = heron_store_outbox_read (path, &error);
      if (outbox == NULL)
        return heron_cli_fail_error (cli, HERON_CLI_EXIT_FAILURE, error);
    }
  else
    outbox = g_ptr_array_new ();

  if (cli->json)
    {
      print_outbox_json (outbox);
      return HERON_CLI_EXIT_OK;
    }
  if (outbox->len == 0)
    g_print ("%s\n", _("The outbox is empty."));
  for (guint i = 0; i < outbox->len; i++)
    {
      HeronStoreOutboxEntry *entry = g_ptr_array_index (outbox, i);
      g_autofree char *recipients = g_strjoinv (", ", entry->recipients);

      g_print ("%s\t<%s>\t%s\n", heron_store_outbox_state_to_string (entry->state), entry->message_id,
               entry->subject != NULL ? entry->subject : "");
      g_print ("\t%s %s\n", _("To:"), recipients);
      g_print ("\t%s %u\n", _("Attempts:"), entry->attempts);
      if (entry->error != NULL)
        g_print ("\t%s %s\n", _("Last error:"), entry->error);
    }
  return HERON_CLI_EXIT_OK;
}

int
heron_cli_send (HeronCli *cli,
                int       argc,
                char    **argv)
{
  g_auto(SendOptions) options = { NULL };
  const GOptionEntry entries[] = {
    { "account", 0, 0, G_OPTION_ARG_STRING, &options.account, N_("The account to send from (default: the only one)"), N_("ID") },
    { "to", 0, 0, G_OPTION_ARG_STRING_ARRAY, &options.to, N_("A recipient (repeatable)"), N_("ADDRESS") },
    { "cc", 0, 0, G_OPTION_ARG_STRING_ARRAY, &options.cc, N_("A copy recipient (repeatable)"), N_("ADDRESS") },
    { "bcc", 0, 0, G_OPTION_ARG_STRING_ARRAY, &options.bcc, N_("A blind copy recipient (repeatable)"), N_("ADDRESS") },
    { "subject", 0, 0, G_OPTION_ARG_STRING, &options.subject, N_("The subject"), N_("TEXT") },
    { "body-file", 0, 0, G_OPTION_ARG_FILENAME, &options.body_file, N_("The body text (UTF-8); default: standard input"), N_("FILE") },
    { "attach", 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &options.attach, N_("A file to attach (repeatable)"), N_("FILE") },
    { "file", 0, 0, G_OPTION_ARG_FILENAME, &options.file, N_("Send this message as it is, to its To, Cc and Bcc"), N_("MESSAGE.eml") },
    { "json", 0, 0, G_OPTION_ARG_NONE, &options.json, N_("Print the result as JSON"), NULL },
    { "queue", 0, 0, G_OPTION_ARG_NONE, &options.queue, N_("Send through the account's outbox (retried, filed in Sent); wait until sent or failed"), NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new (_("— send a message"));
  g_autoptr(HeronAccountConfigStore) store = NULL;
  g_autoptr(HeronAccountConfig) config = NULL;
  g_autoptr(HeronMimeOutgoing) outgoing = NULL;
  g_autoptr(HeronSmtpClient) client = NULL;
  g_autoptr(HeronSmtpSendResult) result = NULL;
  g_autoptr(GAsyncResult) async_result = NULL;
  g_autoptr(GError) error = NULL;
  HeronSmtpClientSettings settings;
  HeronCliExit code = HERON_CLI_EXIT_FAILURE;
  int exit_code = HERON_CLI_EXIT_OK;
  gboolean composing;

  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  g_option_context_set_summary (context,
                                _("Composes a message from the account's first identity (or takes "
                                  "--file as it is) and submits it to the account's SMTP server, "
                                  "with the password from the keyring. Prints what the server "
                                  "answered for each recipient and the queue id.\n\n"
                                  "With --queue the message goes through the account's outbox instead, "
                                  "as Heron sends it: kept in the cache until the server took it, "
                                  "retried after temporary failures, and filed in the Sent folder; "
                                  "heron-cli waits until it was sent or failed."));
  if (!g_option_context_parse (context, &argc, &argv, &error))
    return heron_cli_fail_error (cli, HERON_CLI_EXIT_USAGE, error);
  if (argc > 1)
    return heron_cli_fail (cli, HERON_CLI_EXIT_USAGE, _("Unexpected argument “%s”"), argv[1]);

  composing = options.file == NULL;
  if (!composing && (options.to != NULL || options.cc != NULL || options.bcc != NULL || options.subject != NULL ||
                     options.body_file != NULL || options.attach != NULL))
    return heron_cli_fail (cli, HERON_CLI_EXIT_USAGE,
                           _("--file sends a message as it is: it takes no --to, --cc, --bcc, --subject, --body-file or --attach"));
  if (composing && options.to == NULL && options.cc == NULL && options.bcc == NULL)
    return heron_cli_fail (cli, HERON_CLI_EXIT_USAGE, _("--to (or --cc, --bcc) is required"));
  if (composing && options.subject == NULL)
    return heron_cli_fail (cli, HERON_CLI_EXIT_USAGE, _("--subject is required"));

  store = heron_account_config_store_new ();
  if (!heron_account_config_store_load (store, NULL, &error))
    return heron_cli_fail_error (cli, HERON_CLI_EXIT_FAILURE, error);
  config = choose_account (cli, store, options.account, &exit_code);
  if (config == NULL)
    return exit_code;

  /* The outbox takes the whole message, Bcc included (it removes it before sending) */
  if (composing)
    outgoing = compose (config, &options, options.queue ? HERON_MIME_BUILD_DRAFT : HERON_MIME_BUILD_DEFAULT,
                        &code, &error);
  else
    outgoing = load_message (config, options.file, &error);
  if (outgoing == NULL)
    return heron_cli_fail_error (cli, code, error);

  if (options.queue)
    {
      g_autofree char *message_id = NULL;
      g_autoptr(GBytes) message = with_message_id (outgoing->message, outgoing->envelope_from, &message_id);

      return send_queued (cli, config, message, message_id);
    }
  if (!composing)
    {
      /* the envelope carries Bcc, the recipients must not see it: the outbox's rule too */
      GBytes *stripped = heron_mime_remove_header_fields (outgoing->message, HERON_MIME_BCC_FIELDS);

      g_bytes_unref (outgoing->message);
      outgoing->message = stripped;
    }

  heron_smtp_client_settings_init (&settings);
  if (!smtp_settings_from_account (config, &settings, &error))
    {
      heron_smtp_client_settings_clear (&settings);
      return heron_cli_fail_error (cli, HERON_CLI_EXIT_FAILURE, error);
    }
  client = heron_smtp_client_new (&settings);
  heron_smtp_client_settings_clear (&settings);

  heron_smtp_client_send_bytes_async (client, outgoing->envelope_from,
                                      (const char * const *) outgoing->recipients,
                                      outgoing->message, NULL, heron_cli_async_done, &async_result);
  heron_cli_wait (&async_result);
  result = heron_smtp_client_send_finish (client, async_result, &error);
  if (result == NULL)
    return heron_cli_fail_error (cli, HERON_CLI_EXIT_FAILURE, error);

  print_result (cli, outgoing, result);
  return HERON_CLI_EXIT_OK;
}
