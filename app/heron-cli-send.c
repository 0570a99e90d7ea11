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
  return heron_mime_composition_build (composition, HERON_MIME_BUILD_DEFAULT, NULL, error);
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
                                  "Not yet: no copy is saved to the Sent folder and there is no "
                                  "outbox (a failed send is not retried); both come with the sync engine."));
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

  if (composing)
    outgoing = compose (config, &options, &code, &error);
  else
    outgoing = load_message (config, options.file, &error);
  if (outgoing == NULL)
    return heron_cli_fail_error (cli, code, error);

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
