/* heron-cli-account.c: heron-cli account add|list|remove
 *
 * Copyright 2026 The Heron developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "heron-cli.h"

typedef struct {
  char *name;
  char *email;
  char *user;
  char *imap_host;
  int imap_port;
  char *imap_security;
  char *smtp_host;
  int smtp_port;
  char *smtp_security;
  char *pinned_certificate;
  gboolean allow_plaintext;
  gboolean password_stdin;
  gboolean json;
} AddOptions;

static void
add_options_clear (AddOptions *options)
{
  g_free (options->name);
  g_free (options->email);
  g_free (options->user);
  g_free (options->imap_host);
  g_free (options->imap_security);
  g_free (options->smtp_host);
  g_free (options->smtp_security);
  g_free (options->pinned_certificate);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (AddOptions, add_options_clear)

/* Builds one server of the account from the options; FALSE with @error on a bad value. */
static gboolean
configure_server (HeronAccountServer *server,
                  const char         *option_prefix,
                  const char         *host,
                  int                 port,
                  const char         *security,
                  const AddOptions   *options,
                  GError            **error)
{
  int value = HERON_ACCOUNT_SECURITY_TLS;

  if (host == NULL)
    {
      g_set_error (error, HERON_ACCOUNT_ERROR, HERON_ACCOUNT_ERROR_INVALID,
                   _("--%s-host is required"), option_prefix);
      return FALSE;
    }
  if (port < 0 || port > 65535)
    {
      g_set_error (error, HERON_ACCOUNT_ERROR, HERON_ACCOUNT_ERROR_INVALID,
                   _("--%s-port must be a number from 1 to 65535"), option_prefix);
      return FALSE;
    }
  if (security != NULL && !heron_account_enum_from_string (HERON_TYPE_ACCOUNT_SECURITY, security, &value))
    {
      g_set_error (error, HERON_ACCOUNT_ERROR, HERON_ACCOUNT_ERROR_INVALID,
                   _("--%s-security must be tls, starttls or none, not “%s”"), option_prefix, security);
      return FALSE;
    }

  heron_account_server_set_host (server, host);
  heron_account_server_set_port (server, (guint) port);
  heron_account_server_set_security (server, value);
  heron_account_server_set_auth (server, HERON_ACCOUNT_AUTH_PASSWORD);
  heron_account_server_set_user (server, options->user != NULL ? options->user : options->email);
  heron_account_server_set_allow_plaintext_on_loopback (server, options->allow_plaintext);
  if (options->pinned_certificate != NULL)
    {
      g_autoptr(GFile) file = g_file_new_for_commandline_arg (options->pinned_certificate);
      g_autofree char *path = g_file_get_path (file);

      heron_account_server_set_pinned_certificate_file (server, path);
    }
  return TRUE;
}

static gboolean
store_secret (HeronAccountConfig *config,
              HeronAccountServer *server,
              const char         *secret,
              GError            **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  heron_secrets_store_async (heron_account_config_get_id (config),
                             heron_account_server_get_protocol (server),
                             heron_account_server_get_host (server),
                             heron_account_server_get_user (server),
                             secret, NULL, heron_cli_async_done, &result);
  heron_cli_wait (&result);
  return heron_secrets_store_finish (result, error);
}

static void
add_server_json (JsonBuilder        *builder,
                 const char         *member,
                 HeronAccountServer *server)
{
  json_builder_set_member_name (builder, member);
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "host");
  json_builder_add_string_value (builder, heron_account_server_get_host (server));
  json_builder_set_member_name (builder, "port");
  json_builder_add_int_value (builder, heron_account_server_get_effective_port (server));
  json_builder_set_member_name (builder, "security");
  json_builder_add_string_value (builder,
                                 heron_account_enum_to_string (HERON_TYPE_ACCOUNT_SECURITY,
                                                               heron_account_server_get_security (server)));
  json_builder_set_member_name (builder, "user");
  json_builder_add_string_value (builder, heron_account_server_get_user (server));
  json_builder_end_object (builder);
}

static void
add_account_json (JsonBuilder        *builder,
                  HeronAccountConfig *config)
{
  HeronAccountIdentity *identity = heron_account_config_get_primary_identity (config);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "id");
  json_builder_add_string_value (builder, heron_account_config_get_id (config));
  json_builder_set_member_name (builder, "name");
  json_builder_add_string_value (builder, heron_account_config_get_display_name (config));
  json_builder_set_member_name (builder, "email");
  json_builder_add_string_value (builder, heron_account_identity_get_address (identity));
  add_server_json (builder, "imap", heron_account_config_get_imap (config));
  add_server_json (builder, "smtp", heron_account_config_get_smtp (config));
  json_builder_end_object (builder);
}

static int
account_add (HeronCli *cli,
             int       argc,
             char    **argv)
{
  g_auto(AddOptions) options = { .imap_port = 0, .smtp_port = 0 };
  const GOptionEntry entries[] = {
    { "name", 0, 0, G_OPTION_ARG_STRING, &options.name, N_("The name shown for the account and as the sender"), N_("NAME") },
    { "email", 0, 0, G_OPTION_ARG_STRING, &options.email, N_("The account's e-mail address (required)"), N_("ADDRESS") },
    { "user", 0, 0, G_OPTION_ARG_STRING, &options.user, N_("The login name, if not the address"), N_("USER") },
    { "imap-host", 0, 0, G_OPTION_ARG_STRING, &options.imap_host, N_("IMAP server (required)"), N_("HOST") },
    { "imap-port", 0, 0, G_OPTION_ARG_INT, &options.imap_port, N_("IMAP port (default: 993 for tls, 143 otherwise)"), N_("PORT") },
    { "imap-security", 0, 0, G_OPTION_ARG_STRING, &options.imap_security, N_("tls (default), starttls or none (loopback only)"), N_("SECURITY") },
    { "smtp-host", 0, 0, G_OPTION_ARG_STRING, &options.smtp_host, N_("SMTP submission server (required)"), N_("HOST") },
    { "smtp-port", 0, 0, G_OPTION_ARG_INT, &options.smtp_port, N_("SMTP port (default: 465 for tls, 587 otherwise)"), N_("PORT") },
    { "smtp-security", 0, 0, G_OPTION_ARG_STRING, &options.smtp_security, N_("tls (default), starttls or none (loopback only)"), N_("SECURITY") },
    { "pinned-certificate", 0, 0, G_OPTION_ARG_FILENAME, &options.pinned_certificate, N_("A PEM certificate both servers must present"), N_("FILE") },
    { "allow-plaintext-loopback", 0, 0, G_OPTION_ARG_NONE, &options.allow_plaintext, N_("Allow security none for a loopback server"), NULL },
    { "password-stdin", 0, 0, G_OPTION_ARG_NONE, &options.password_stdin, N_("Read the password from standard input and keep it in the keyring"), NULL },
    { "json", 0, 0, G_OPTION_ARG_NONE, &options.json, N_("Print the new account as JSON"), NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new (_("— add an account"));
  g_autoptr(HeronAccountConfigStore) store = NULL;
  g_autoptr(HeronAccountConfig) config = NULL;
  g_autoptr(HeronAccountIdentity) identity = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *password = NULL;

  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  g_option_context_set_summary (context, _("Adds an account. Its password goes to the keyring, never to a file."));
  if (!g_option_context_parse (context, &argc, &argv, &error))
    return heron_cli_fail_error (cli, HERON_CLI_EXIT_USAGE, error);
  if (argc > 1)
    return heron_cli_fail (cli, HERON_CLI_EXIT_USAGE, _("Unexpected argument “%s”"), argv[1]);
  if (options.email == NULL)
    return heron_cli_fail (cli, HERON_CLI_EXIT_USAGE, _("--email is required"));

  /* Read the secret first: a prompt-less script must not half-create an account. */
  if (options.password_stdin)
    {
      password = heron_cli_read_stdin_secret (&error);
      if (password == NULL)
        return heron_cli_fail_error (cli, HERON_CLI_EXIT_USAGE, error);
    }

  config = heron_account_config_new ();
  identity = heron_account_identity_new (options.name, options.email);
  heron_account_config_add_identity (config, identity);
  if (options.name != NULL)
    heron_account_config_set_display_name (config, options.name);
  if (!configure_server (heron_account_config_get_imap (config), "imap", options.imap_host, options.imap_port, options.imap_security,
                         &options, &error) ||
      !configure_server (heron_account_config_get_smtp (config), "smtp", options.smtp_host, options.smtp_port, options.smtp_security,
                         &options, &error))
    return heron_cli_fail_error (cli, HERON_CLI_EXIT_USAGE, error);

  if (!heron_account_config_validate (config, &error))
    return heron_cli_fail_error (cli, HERON_CLI_EXIT_USAGE, error);

  store = heron_account_config_store_new ();
  if (!heron_account_config_store_load (store, NULL, &error))
    return heron_cli_fail_error (cli, HERON_CLI_EXIT_FAILURE, error);
  if (!heron_account_config_store_add (store, config, &error))
    return heron_cli_fail_error (cli, HERON_CLI_EXIT_FAILURE, error);

  if (password != NULL)
    {
      if (!store_secret (config, heron_account_config_get_imap (config), password, &error) ||
          !store_secret (config, heron_account_config_get_smtp (config), password, &error))
        {
          g_autoptr(GAsyncResult) result = NULL;

          /* Without its password the account would fail at once: take it back out. */
          heron_account_config_store_remove_async (store, config, NULL, heron_cli_async_done, &result);
          heron_cli_wait (&result);
          heron_account_config_store_remove_finish (store, result, NULL);
          memset (password, 0, strlen (password));
          return heron_cli_fail (cli, HERON_CLI_EXIT_FAILURE,
                                 _("The password could not be kept in the keyring, so the account "
                                   "was not added: %s"), error->message);
        }
      memset (password, 0, strlen (password));
    }

  if (cli->json)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();
      g_autoptr(JsonNode) root = NULL;

      add_account_json (builder, config);
      root = json_builder_get_root (builder);
      heron_cli_print_json (root);
    }
  else
    g_print ("%s\n", heron_account_config_get_id (config));
  return HERON_CLI_EXIT_OK;
}

static int
account_list (HeronCli *cli,
              int       argc,
              char    **argv)
{
  gboolean json = FALSE;
  const GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print the accounts as JSON"), NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new (_("— list the accounts"));
  g_autoptr(HeronAccountConfigStore) store = NULL;
  g_autoptr(GPtrArray) errors = NULL;
  g_autoptr(GError) error = NULL;
  guint n;

  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  g_option_context_set_summary (context, _("Lists the accounts. A file that does not load is "
                                           "reported on standard error; the others are listed."));
  if (!g_option_context_parse (context, &argc, &argv, &error))
    return heron_cli_fail_error (cli, HERON_CLI_EXIT_USAGE, error);
  if (argc > 1)
    return heron_cli_fail (cli, HERON_CLI_EXIT_USAGE, _("Unexpected argument “%s”"), argv[1]);

  store = heron_account_config_store_new ();
  if (!heron_account_config_store_load (store, &errors, &error))
    return heron_cli_fail_error (cli, HERON_CLI_EXIT_FAILURE, error);

  for (guint i = 0; errors != NULL && i < errors->len; i++)
    g_printerr ("heron-cli: %s\n", ((GError *) g_ptr_array_index (errors, i))->message);

  n = g_list_model_get_n_items (G_LIST_MODEL (store));
  if (cli->json)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();
      g_autoptr(JsonNode) root = NULL;

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "accounts");
      json_builder_begin_array (builder);
      for (guint i = 0; i < n; i++)
        {
          g_autoptr(HeronAccountConfig) config = g_list_model_get_item (G_LIST_MODEL (store), i);

          add_account_json (builder, config);
        }
      json_builder_end_array (builder);
      json_builder_set_member_name (builder, "errors");
      json_builder_begin_array (builder);
      for (guint i = 0; errors != NULL && i < errors->len; i++)
        json_builder_add_string_value (builder, ((GError *) g_ptr_array_index (errors, i))->message);
      json_builder_end_array (builder);
      json_builder_end_object (builder);
      root = json_builder_get_root (builder);
      heron_cli_print_json (root);
    }
  else
    {
      for (guint i = 0; i < n; i++)
        {
          g_autoptr(HeronAccountConfig) config = g_list_model_get_item (G_LIST_MODEL (store), i);
          HeronAccountIdentity *identity = heron_account_config_get_primary_identity (config);
          HeronAccountServer *imap = heron_account_config_get_imap (config);

          g_print ("%s\t%s\t%s\timap=%s:%u\n", heron_account_config_get_id (config),
                   heron_account_config_get_display_name (config),
                   heron_account_identity_get_address (identity),
                   heron_account_server_get_host (imap),
                   (guint) heron_account_server_get_effective_port (imap));
        }
    }
  return HERON_CLI_EXIT_OK;
}

static int
account_remove (HeronCli *cli,
                int       argc,
                char    **argv)
{
  gboolean json = FALSE;
  const GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print the result as JSON"), NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new (_("ID — remove an account"));
  g_autoptr(HeronAccountConfigStore) store = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  HeronAccountConfig *config;

  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  g_option_context_set_summary (context, _("Removes an account: its file, its passwords in the "
                                           "keyring and its local cache."));
  if (!g_option_context_parse (context, &argc, &argv, &error))
    return heron_cli_fail_error (cli, HERON_CLI_EXIT_USAGE, error);
  if (argc != 2)
    return heron_cli_fail (cli, HERON_CLI_EXIT_USAGE, _("Name one account id (see heron-cli account list)"));

  store = heron_account_config_store_new ();
  if (!heron_account_config_store_load (store, NULL, &error))
    return heron_cli_fail_error (cli, HERON_CLI_EXIT_FAILURE, error);
  config = heron_account_config_store_lookup (store, argv[1]);
  if (config == NULL)
    return heron_cli_fail (cli, HERON_CLI_EXIT_NOT_FOUND, _("There is no account “%s”"), argv[1]);

  heron_account_config_store_remove_async (store, config, NULL, heron_cli_async_done, &result);
  heron_cli_wait (&result);
  if (!heron_account_config_store_remove_finish (store, result, &error))
    return heron_cli_fail_error (cli, HERON_CLI_EXIT_FAILURE, error);

  if (cli->json)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();
      g_autoptr(JsonNode) root = NULL;

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "removed");
      json_builder_add_string_value (builder, argv[1]);
      json_builder_end_object (builder);
      root = json_builder_get_root (builder);
      heron_cli_print_json (root);
    }
  return HERON_CLI_EXIT_OK;
}

int
heron_cli_account (HeronCli *cli,
                   int       argc,
                   char    **argv)
{
  if (argc >= 2 && g_str_equal (argv[1], "add"))
    return account_add (cli, argc - 1, argv + 1);
  if (argc >= 2 && g_str_equal (argv[1], "list"))
    return account_list (cli, argc - 1, argv + 1);
  if (argc >= 2 && g_str_equal (argv[1], "remove"))
    return account_remove (cli, argc - 1, argv + 1);
  if (argc >= 2 && (g_str_equal (argv[1], "--help") || g_str_equal (argv[1], "-h")))
    {
      g_print ("%s\n  add     %s\n  list    %s\n  remove  %s\n",
               _("Usage: heron-cli account add|list|remove [--help] [--json]"),
               _("Add an account (see heron-cli account add --help)"),
               _("List the accounts"),
               _("Remove an account, its passwords and its cache"));
      return HERON_CLI_EXIT_OK;
    }
  return heron_cli_fail (cli, HERON_CLI_EXIT_USAGE,
                         _("heron-cli account needs add, list or remove (see heron-cli account --help)"));
}
