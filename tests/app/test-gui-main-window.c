/* test-gui-main-window.c: the real HeronApplication under Xvfb against the harness's Dovecot:
 * folders and messages appear, the reader shows a message, remote content of an HTML message is
 * not requested until it is allowed, actions from the window reach the server, a change made by
 * another client appears by itself, and actions taken while the server is down reach it once it
 * is back; links of other schemes than the web's are asked about (mailto: opens the composer);
 * a folder that gets its first subfolder can be opened in the sidebar; a notification finds a
 * message that is not an item of the (threaded) list. Screenshots of the main window, the reader, the narrow layout and dark style.
 *
 * Run inside tests/harness/heron-test-session --display: private XDG directories (the account is
 * written there with the config store, its password into the session's keyring).
 *
 * Copyright 2026 The Heron developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gstdio.h>

#include "heron-address-entry.h"
#include "heron-application.h"
#include "heron-composer-window.h"
#include "heron-test-server.h"
#include "app-test-util.h"
#include "widgets-test-util.h"
#include "heron-window.h"

/* A guard against hanging, not a timed assertion: every wait is for an event that must come. */

#define PLAIN_SUBJECT "Herons of the marsh"
#define PLAIN_TEXT "The grey heron stands in the shallows at dawn."
#define HTML_SUBJECT "Newsletter with pictures"
#define HTML_TEXT "This newsletter has a tracking picture."
#define SEEDED 12
#define CID_SUBJECT "Picture inside"
/* A 2x3 red PNG. */
#define CID_PNG_BASE64 "iVBORw0KGgoAAAANSUhEUgAAAAIAAAADCAIAAAA2iEnWAAAAEElEQVR4nGP4z8AARAwoFABE0AX7pM/egAAAAABJRU5ErkJggg=="

static HeronTestServer *server;
static const char *user;
static char *account_id;
static guint32 plain_uid;
static guint32 html_uid;

/* The loopback HTTP server the HTML message's picture points at. */
static GSocketService *http_service;
static guint16 http_port;
static guint http_hits;
static GHashTable *http_paths;  /* the paths asked for since the last reset */

static gboolean
on_http_incoming (GSocketService    *service,
                  GSocketConnection *connection,
                  GObject           *source,
                  gpointer           user_data)
{
  static const char reply[] =
    "HTTP/1.0 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
  GOutputStream *out = g_io_stream_get_output_stream (G_IO_STREAM (connection));
  char buffer[2048];

  gssize n;

  http_hits++;
  n = g_input_stream_read (g_io_stream_get_input_stream (G_IO_STREAM (connection)), buffer,
                           sizeof buffer - 1, NULL, NULL);
  buffer[MAX (n, 0)] = '\0';
  /* "GET /path HTTP/1.1" */
  if (g_str_has_prefix (buffer, "GET "))
    {
      g_auto(GStrv) words = g_strsplit (buffer, " ", 3);

      if (words[1] != NULL)
        g_hash_table_add (http_paths, g_strdup (words[1]));
      g_test_message ("HTTP request %u on the loopback server: %s", http_hits, words[1]);
    }
  else
    g_test_message ("HTTP request %u on the loopback server", http_hits);
  g_output_stream_write_all (out, reply, sizeof reply - 1, NULL, NULL, NULL);
  g_io_stream_close (G_IO_STREAM (connection), NULL, NULL);
  return TRUE;
}

static void
start_http_server (void)
{
  g_autoptr(GError) error = NULL;

  http_paths = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  http_service = g_socket_service_new ();
  http_port = g_socket_listener_add_any_inet_port (G_SOCKET_LISTENER (http_service), NULL, &error);
  g_assert_no_error (error);
  g_signal_connect (http_service, "incoming", G_CALLBACK (on_http_incoming), NULL);
  g_socket_service_start (http_service);
}

/* A notification server on the session bus, standing for GNOME Shell's: it keeps the last
 * notification and can press its buttons (org.freedesktop.Notifications, as GLib's backend
 * outside a sandbox uses it). */
static const char notifications_xml[] =
  "<node><interface name='org.freedesktop.Notifications'>"
  "<method name='Notify'><arg type='s' direction='in'/><arg type='u' direction='in'/>"
  "<arg type='s' direction='in'/><arg type='s' direction='in'/><arg type='s' direction='in'/>"
  "<arg type='as' direction='in'/><arg type='a{sv}' direction='in'/><arg type='i' direction='in'/>"
  "<arg type='u' direction='out'/></method>"
  "<method name='CloseNotification'><arg type='u' direction='in'/></method>"
  "<method name='GetCapabilities'><arg type='as' direction='out'/></method>"
  "<method name='GetServerInformation'><arg type='s' direction='out'/><arg type='s' direction='out'/>"
  "<arg type='s' direction='out'/><arg type='s' direction='out'/></method>"
  "<signal name='ActionInvoked'><arg type='u'/><arg type='s'/></signal>"
  "<signal name='NotificationClosed'><arg type='u'/><arg type='u'/></signal>"
  "</interface></node>";

static guint notify_count;
static char *notify_summary;
static char *notify_body;
static GStrv notify_actions;
static gboolean notifications_owned;

static void
on_notifications_call (GDBusConnection       *connection,
                       const char            *sender,
                       const char            *path,
                       const char            *interface,
                       const char            *method,
                       GVariant              *parameters,
                       GDBusMethodInvocation *invocation,
                       gpointer               user_data)
{
  if (g_strcmp0 (method, "Notify") == 0)
    {
      g_free (notify_summary);
      g_free (notify_body);
      g_strfreev (notify_actions);
      g_variant_get (parameters, "(&su&sss^asa{sv}i)", NULL, NULL, NULL, &notify_summary,
                     &notify_body, &notify_actions, NULL, NULL);
      notify_count++;
      g_test_message ("notification %u: %s — %s", notify_count, notify_summary, notify_body);
      g_dbus_method_invocation_return_value (invocation, g_variant_new ("(u)", notify_count));
    }
  else if (g_strcmp0 (method, "GetCapabilities") == 0)
    {
      const char *caps[] = { "actions", "body", NULL };

      g_dbus_method_invocation_return_value (invocation, g_variant_new ("(^as)", caps));
    }
  else if (g_strcmp0 (method, "GetServerInformation") == 0)
    g_dbus_method_invocation_return_value (invocation,
                                           g_variant_new ("(ssss)", "test", "heron", "1", "1.2"));
  else
    g_dbus_method_invocation_return_value (invocation, NULL);
}

static void
on_notifications_name_acquired (GDBusConnection *connection,
                                const char      *name,
                                gpointer         user_data)
{
  notifications_owned = TRUE;
}

static void
start_notification_server (void)
{
  static const GDBusInterfaceVTable vtable = { on_notifications_call, NULL, NULL, { 0 } };
  g_autoptr(GDBusConnection) bus = g_bus_get_sync (G_BUS_TYPE_SESSION, NULL, NULL);
  g_autoptr(GDBusNodeInfo) info = g_dbus_node_info_new_for_xml (notifications_xml, NULL);
  g_autoptr(GError) error = NULL;

  g_assert_nonnull (bus);
  g_dbus_connection_register_object (bus, "/org/freedesktop/Notifications", info->interfaces[0],
                                     &vtable, NULL, NULL, &error);
  g_assert_no_error (error);
  g_bus_own_name_on_connection (bus, "org.freedesktop.Notifications", G_BUS_NAME_OWNER_FLAGS_NONE,
                                on_notifications_name_acquired, NULL, NULL, NULL);
}

/* Presses the button labelled @label of the last notification. */
static void
press_notification_button (const char *label)
{
  g_autoptr(GDBusConnection) bus = g_bus_get_sync (G_BUS_TYPE_SESSION, NULL, NULL);
  g_autoptr(GError) error = NULL;
  const char *key = NULL;

  g_assert_nonnull (notify_actions);
  for (guint i = 0; notify_actions[i] != NULL && notify_actions[i + 1] != NULL; i += 2)
    if (g_strcmp0 (notify_actions[i + 1], label) == 0)
      key = notify_actions[i];
  g_assert_nonnull (key);
  g_dbus_connection_emit_signal (bus, NULL, "/org/freedesktop/Notifications",
                                 "org.freedesktop.Notifications", "ActionInvoked",
                                 g_variant_new ("(us)", notify_count, key), &error);
  g_assert_no_error (error);
}

/* The server side */

static GBytes *
make_message (const char *message_id,
              const char *subject,
              const char *content_type,
              const char *body)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *date = g_date_time_format (now, "%a, %d %b %Y %H:%M:%S %z");
  char *text = g_strdup_printf ("From: Grace Hopper <grace@example.test>\r\n"
                                "To: %s\r\n"
                                "Subject: %s\r\n"
                                "Date: %s\r\n"
                                "Message-ID: <%s>\r\n"
                                "MIME-Version: 1.0\r\n"
                                "Content-Type: %s; charset=utf-8\r\n"
                                "\r\n"
                                "%s\r\n",
                                user, subject, date, message_id, content_type, body);

  return g_bytes_new_take (text, strlen (text));
}

/* "Re: @subject" answering @message_id, dated long before it. */
static GBytes *
make_reply (const char *subject,
            const char *message_id)
{
  char *text = g_strdup_printf ("From: Grace Hopper <grace@example.test>\r\n"
                                "To: %s\r\n"
                                "Subject: Re: %s\r\n"
                                "Date: Mon, 01 Jan 2001 09:00:00 +0000\r\n"
                                "Message-ID: <late-reply@example.test>\r\n"
                                "In-Reply-To: <%s>\r\n"
                                "References: <%s>\r\n"
                                "MIME-Version: 1.0\r\n"
                                "Content-Type: text/plain; charset=utf-8\r\n"
                                "\r\n"
                                "Late, but here.\r\n",
                                user, subject, message_id, message_id);

  return g_bytes_new_take (text, strlen (text));
}

static gboolean
server_flags_have (guint32     uid,
                   const char *flag,
                   gboolean    wanted)
{
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) flags = heron_test_server_get_flags (server, user, "INBOX", uid, &error);

  g_assert_no_error (error);
  return g_strv_contains ((const char * const *) flags, flag) == wanted;
}

typedef struct {
  guint32     uid;
  const char *flag;
  gboolean    wanted;
} FlagWait;

static gboolean
flag_reached (gpointer data)
{
  FlagWait *wait = data;
  static gint64 last;

  /* doveadm is a process: ask a few times a second, not in a busy loop. */
  if (g_get_monotonic_time () - last < 250 * 1000)
    return FALSE;
  last = g_get_monotonic_time ();
  return server_flags_have (wait->uid, wait->flag, wait->wanted);
}

static void
wait_for_server_flag (guint32     uid,
                      const char *flag,
                      gboolean    wanted)
{
  FlagWait wait = { uid, flag, wanted };
  g_autofree char *what = g_strdup_printf ("%s %s on the server (UID %u)", flag,
                                           wanted ? "set" : "cleared", uid);

  widgets_test_wait_until (flag_reached, &wait, what);
}

typedef struct {
  const char *mailbox;
  const char *message_id;
} FindWait;

static gboolean
message_on_server (gpointer data)
{
  FindWait *wait = data;
  g_autoptr(GError) error = NULL;
  static gint64 last;

  if (g_get_monotonic_time () - last < 250 * 1000)
    return FALSE;
  last = g_get_monotonic_time ();
  return heron_test_server_find_message (server, user, wait->mailbox, wait->message_id, &error) != 0;
}

/* The application side */

static void
run_in_application (AppTestCheck check)
{
  app_test_run ("test-gui-main-window", check);
}

static HeronAccount *
get_account (HeronApplication *app)
{
  return app_test_get_account (app, account_id);
}

static gboolean
inbox_known (gpointer data)
{
  return heron_account_lookup_folder (HERON_ACCOUNT (data), "INBOX") != NULL;
}

typedef struct {
  HeronWindow *window;
  guint        n;
} ListWait;

static gboolean
list_has_at_least (gpointer data)
{
  ListWait *wait = data;
  GListModel *model = heron_message_list_view_get_model (heron_window_get_message_list_view (wait->window));

  return model != NULL && g_list_model_get_n_items (model) >= wait->n;
}

/* Shows INBOX and waits until the list holds at least @n messages. */
static HeronFolder *
show_inbox (HeronApplication *app,
            HeronWindow      *window,
            guint             n)
{
  HeronAccount *account = get_account (app);
  HeronFolder *inbox;
  ListWait wait = { window, n };

  widgets_test_wait_until (inbox_known, account, "the INBOX folder in the account");
  inbox = heron_account_lookup_folder (account, "INBOX");
  g_assert_true (heron_window_show_folder (window, inbox));
  widgets_test_wait_until (list_has_at_least, &wait, "the messages of INBOX in the list");
  return inbox;
}

/* The position of the message with @subject in the list, or -1. */
static int
find_in_list (HeronWindow *window,
              const char  *subject)
{
  GListModel *model = heron_message_list_view_get_model (heron_window_get_message_list_view (window));
  guint n = model != NULL ? g_list_model_get_n_items (model) : 0;

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(HeronMessage) message = g_list_model_get_item (model, i);

      if (g_strcmp0 (heron_message_get_subject (message), subject) == 0)
        return (int) i;
    }
  return -1;
}

typedef struct {
  HeronWindow *window;
  const char  *subject;
} SubjectWait;

static gboolean
subject_listed (gpointer data)
{
  SubjectWait *wait = data;

  return find_in_list (wait->window, wait->subject) >= 0;
}

static gboolean
subject_gone (gpointer data)
{
  return !subject_listed (data);
}

static HeronMessage *
select_subject (HeronWindow *window,
                const char  *subject)
{
  HeronMessageListView *list = heron_window_get_message_list_view (window);
  SubjectWait wait = { window, subject };
  g_autoptr(GPtrArray) selected = NULL;

  widgets_test_wait_until (subject_listed, &wait, subject);
  g_assert_true (heron_message_list_view_select_position (list, (guint) find_in_list (window, subject)));
  selected = heron_message_list_view_get_selected (list);
  g_assert_cmpuint (selected->len, ==, 1);
  return g_object_ref (g_ptr_array_index (selected, 0));
}

static gboolean
reader_ready (gpointer data)
{
  return heron_message_view_get_loaded (heron_window_get_message_view (HERON_WINDOW (data)));
}

typedef struct {
  gboolean  done;
  char     *text;
} JsResult;

static void
on_js_done (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  JsResult *js = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(JSCValue) value = webkit_web_view_evaluate_javascript_finish (WEBKIT_WEB_VIEW (source),
                                                                          result, &error);

  g_assert_no_error (error);
  js->text = jsc_value_to_string (value);
  js->done = TRUE;
}

static gboolean
js_done (gpointer data)
{
  return ((JsResult *) data)->done;
}

/* The value of @script in the web view's page, as a string. */
static char *
web_view_eval (WebKitWebView *web_view,
               const char    *script)
{
  JsResult js = { FALSE, NULL };

  webkit_web_view_evaluate_javascript (web_view, script, -1, NULL, NULL, NULL, on_js_done, &js);
  widgets_test_wait_until (js_done, &js, "the web view's answer");
  return js.text;
}

/* The text the web view shows. */
static char *
web_view_text (WebKitWebView *web_view)
{
  return web_view_eval (web_view, "document.body.innerText");
}

/* Tests */

static gboolean
special_folders_known (gpointer data)
{
  return heron_account_get_folder_for_role (HERON_ACCOUNT (data), HERON_FOLDER_ROLE_TRASH) != NULL &&
         heron_account_get_folder_for_role (HERON_ACCOUNT (data), HERON_FOLDER_ROLE_ARCHIVE) != NULL;
}

static void
check_folders_and_messages (HeronApplication *app,
                            HeronWindow      *window)
{
  HeronFolder *inbox = show_inbox (app, window, 3);
  HeronAccount *account = get_account (app);
  g_autoptr(HeronMessage) message = NULL;
  SubjectWait plain_listed = { window, PLAIN_SUBJECT };
  SubjectWait html_listed = { window, HTML_SUBJECT };

  g_assert_cmpstr (heron_folder_get_display_name (inbox), ==, "Inbox");
  /* A message found straight in the cache by its UID; none for a UID the folder does not have. */
  message = heron_folder_lookup_message (inbox, plain_uid);
  g_assert_nonnull (message);
  g_assert_cmpstr (heron_message_get_subject (message), ==, PLAIN_SUBJECT);
  g_assert_true (heron_message_get_folder (message) == inbox);
  g_clear_object (&message);
  g_assert_null (heron_folder_lookup_message (inbox, G_MAXINT32));
  /* The special folders Dovecot makes are in the tree with their roles. */
  widgets_test_wait_until (special_folders_known, account, "Trash and Archive");
  widgets_test_wait_until (subject_listed, &plain_listed, "the plain message in the list");
  widgets_test_wait_until (subject_listed, &html_listed, "the HTML message in the list");

  message = select_subject (window, PLAIN_SUBJECT);
  widgets_test_wait_until (reader_ready, window, "the reader");
  widgets_test_screenshot (GTK_WIDGET (window), "main-window.png");
}

static gboolean
composer_open (gpointer data)
{
  for (GList *l = gtk_application_get_windows (GTK_APPLICATION (data)); l != NULL; l = l->next)
    if (HERON_IS_COMPOSER_WINDOW (l->data))
      {
        g_assert_cmpstr (gtk_window_get_title (l->data), !=, NULL);
        gtk_window_destroy (l->data);
        return TRUE;
      }
  return FALSE;
}

static void
check_open_message (HeronApplication *app,
                    HeronWindow      *window)
{
  HeronMessageView *view = heron_window_get_message_view (window);
  g_autoptr(HeronMessage) message = NULL;
  g_autofree char *text = NULL;

  show_inbox (app, window, 3);
  message = select_subject (window, PLAIN_SUBJECT);
  widgets_test_wait_until (reader_ready, window, "the reader");

  g_assert_true (heron_message_view_get_message (view) == message);
  g_assert_false (heron_message_view_get_showing_html (view));
  text = heron_message_view_dup_plain_text (view);
  g_assert_nonnull (strstr (text, PLAIN_TEXT));
  /* Opening it read it, on the server too. */
  wait_for_server_flag (plain_uid, "\\Seen", TRUE);

  /* Reply opens the composer with the reply's subject. */
  g_action_group_activate_action (G_ACTION_GROUP (window), "reply", NULL);
  widgets_test_wait_until (composer_open, app, "the composer");
}

/* Every way an HTML message can make the reader fetch something: each asks for its own path.
 * A frame (/iframe.html) is in the message too, but the view's navigation policy refuses every
 * frame, with or without remote content. */
static const char * const remote_paths[] = {
  "/img-src.png", "/img-srcset.png", "/picture-srcset.png", "/style-attribute.png",
  "/style-element.png", "/import.css", "/link.css", "/video-poster.png", "/table-background.png",
};

static char *
make_remote_html (void)
{
  g_autofree char *base = g_strdup_printf ("http://127.0.0.1:%u", http_port);

  return g_strdup_printf ("<html><head>"
                          "<link rel=\"stylesheet\" href=\"%s/link.css\">"
                          "<style>@import url(\"%s/import.css\");"
                          " .banner { background-image: url(\"%s/style-element.png\"); }</style>"
                          "</head><body><h1>Spring news</h1><p>" HTML_TEXT "</p>"
                          "<div class=\"banner\" style=\"width: 10px; height: 10px\"></div>"
                          "<div style=\"width: 10px; height: 10px; background: url('%s/style-attribute.png')\"></div>"
                          "<img src=\"%s/img-src.png\" width=\"1\" height=\"1\">"
                          "<img srcset=\"%s/img-srcset.png 1x\" width=\"1\" height=\"1\">"
                          "<picture><source srcset=\"%s/picture-srcset.png\">"
                          "<img width=\"1\" height=\"1\" alt=\"\"></picture>"
                          "<iframe src=\"%s/iframe.html\" width=\"10\" height=\"10\"></iframe>"
                          "<video poster=\"%s/video-poster.png\" width=\"10\" height=\"10\"></video>"
                          "<table background=\"%s/table-background.png\"><tr><td>cell</td></tr></table>"
                          "<p><a href=\"https://example.test/more\">Read more</a></p></body></html>",
                          base, base, base, base, base, base, base, base, base, base);
}

static gboolean
all_remote_paths_hit (gpointer data)
{
  for (guint i = 0; i < G_N_ELEMENTS (remote_paths); i++)
    if (!g_hash_table_contains (http_paths, remote_paths[i]))
      return FALSE;
  return TRUE;
}

/* Counts the loads of a message's HTML the web view finished (WebKit's load-changed). */
typedef struct {
  HeronMessageView *view;
  guint             finished;
} LoadWatch;

static void
on_web_load_changed (WebKitWebView   *web_view,
                     WebKitLoadEvent  event,
                     LoadWatch       *watch)
{
  if (event == WEBKIT_LOAD_FINISHED && heron_message_view_get_showing_html (watch->view))
    watch->finished++;
}

typedef struct {
  LoadWatch *watch;
  guint      n;
} LoadWait;

static gboolean
loads_finished (gpointer data)
{
  LoadWait *wait = data;

  return wait->watch->finished >= wait->n;
}

/* Makes the page lay out and style everything (so that a CSS image would be asked for now), and
 * waits for the answer. */
static void
web_view_force_layout (WebKitWebView *web_view)
{
  g_autofree char *height = NULL;

  height = web_view_eval (web_view,
                          "Array.from(document.querySelectorAll('*'))"
                          ".map(e => getComputedStyle(e).backgroundImage).length + document.body.offsetHeight");
  g_assert_nonnull (height);
}

static void
check_remote_content (HeronApplication *app,
                      HeronWindow      *window)
{
  HeronMessageView *view = heron_window_get_message_view (window);
  WebKitWebView *web_view = heron_message_view_get_web_view (view);
  LoadWatch watch = { view, 0 };
  LoadWait first_load = { &watch, 1 };
  LoadWait second_load = { &watch, 2 };
  g_autoptr(HeronMessage) message = NULL;
  g_autofree char *text = NULL;
  gulong handler;

  show_inbox (app, window, 3);
  http_hits = 0;
  g_hash_table_remove_all (http_paths);
  handler = g_signal_connect (web_view, "load-changed", G_CALLBACK (on_web_load_changed), &watch);
  message = select_subject (window, HTML_SUBJECT);

  /* The page finished loading, every subresource included (or refused): nothing was asked for. */
  widgets_test_wait_until (loads_finished, &first_load, "the HTML message's page to finish loading");
  g_assert_true (heron_message_view_get_showing_html (view));
  web_view_force_layout (web_view);
  text = web_view_text (web_view);
  g_assert_nonnull (strstr (text, HTML_TEXT));
  g_assert_true (heron_message_view_get_has_remote_content (view));
  g_assert_true (heron_message_view_get_remote_blocked (view));
  g_assert_cmpuint (http_hits, ==, 0);
  widgets_test_screenshot (GTK_WIDGET (window), "reader-remote-blocked.png");
  g_assert_cmpuint (http_hits, ==, 0);

  /* "Show for this message": now every form asks, which proves each was held back before. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (view), "reader.show-remote-content", NULL));
  widgets_test_wait_until (loads_finished, &second_load, "the HTML message loaded again");
  g_assert_false (heron_message_view_get_remote_blocked (view));
  web_view_force_layout (web_view);
  widgets_test_wait_until (all_remote_paths_hit, NULL, "a request for every remote form of the message");
  g_assert_cmpuint (http_hits, >, 0);
  g_assert_false (g_hash_table_contains (http_paths, "/iframe.html"));
  g_signal_handler_disconnect (web_view, handler);
  widgets_test_screenshot (GTK_WIDGET (window), "reader-html.png");
}

/* A picture of the message itself (cid:) is shown while remote content is blocked. */
static void
check_cid_image (HeronApplication *app,
                 HeronWindow      *window)
{
  HeronMessageView *view = heron_window_get_message_view (window);
  g_autoptr(HeronMessage) message = NULL;
  g_autofree char *width = NULL;
  g_autofree char *height = NULL;

  show_inbox (app, window, 3);
  message = select_subject (window, CID_SUBJECT);
  widgets_test_wait_until (reader_ready, window, "the message with a picture");
  g_assert_true (heron_message_view_get_showing_html (view));
  g_assert_true (heron_message_view_get_remote_blocked (view));
  width = web_view_eval (heron_message_view_get_web_view (view), "document.getElementById('pic').naturalWidth");
  height = web_view_eval (heron_message_view_get_web_view (view), "document.getElementById('pic').naturalHeight");
  g_assert_cmpstr (width, ==, "2");
  g_assert_cmpstr (height, ==, "3");
}

typedef struct {
  HeronWindow *window;
  const char  *subject;
  gboolean     flagged;
} FlaggedWait;

static gboolean
listed_flagged (gpointer data)
{
  FlaggedWait *wait = data;
  GListModel *model = heron_message_list_view_get_model (heron_window_get_message_list_view (wait->window));
  int position = find_in_list (wait->window, wait->subject);
  g_autoptr(HeronMessage) message = NULL;

  if (position < 0)
    return FALSE;
  message = g_list_model_get_item (model, (guint) position);
  return heron_message_get_flagged (message) == wait->flagged;
}

static void
check_actions (HeronApplication *app,
               HeronWindow      *window)
{
  g_autoptr(HeronMessage) message = NULL;
  FindWait archived = { "Archive", "seed-archive@example.test" };
  FindWait trashed = { "Trash", "seed-trash@example.test" };
  FlaggedWait flagged = { window, PLAIN_SUBJECT, TRUE };
  SubjectWait archived_row = { window, "To be archived" };
  SubjectWait deleted_row = { window, "To be deleted" };

  show_inbox (app, window, 3);

  /* Mark unread, then read again (opening it marked it read; the server's copy follows). */
  message = select_subject (window, PLAIN_SUBJECT);
  g_action_group_activate_action (G_ACTION_GROUP (window), "mark-unread", NULL);
  wait_for_server_flag (plain_uid, "\\Seen", FALSE);
  g_action_group_activate_action (G_ACTION_GROUP (window), "mark-read", NULL);
  wait_for_server_flag (plain_uid, "\\Seen", TRUE);

  /* Flag: the list shows it at once, the server follows. */
  g_action_group_activate_action (G_ACTION_GROUP (window), "toggle-flag", NULL);
  widgets_test_wait_until (listed_flagged, &flagged, "the flag in the list");
  wait_for_server_flag (plain_uid, "\\Flagged", TRUE);
  g_action_group_activate_action (G_ACTION_GROUP (window), "toggle-flag", NULL);
  wait_for_server_flag (plain_uid, "\\Flagged", FALSE);
  g_clear_object (&message);

  /* Move to Archive. */
  message = select_subject (window, "To be archived");
  g_action_group_activate_action (G_ACTION_GROUP (window), "move-to", g_variant_new_string ("Archive"));
  widgets_test_wait_until (message_on_server, &archived, "the message in Archive on the server");
  widgets_test_wait_until (subject_gone, &archived_row, "the archived message to leave the list");
  g_clear_object (&message);

  /* Delete: to Trash. */
  message = select_subject (window, "To be deleted");
  g_action_group_activate_action (G_ACTION_GROUP (window), "delete", NULL);
  widgets_test_wait_until (message_on_server, &trashed, "the message in Trash on the server");
  widgets_test_wait_until (subject_gone, &deleted_row, "the deleted message to leave the list");
}

static void
check_server_changes_appear (HeronApplication *app,
                             HeronWindow      *window)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = NULL;
  FlaggedWait flagged = { window, HTML_SUBJECT, TRUE };
  SubjectWait arrived = { window, "Arrived while watching" };

  show_inbox (app, window, 3);
  /* Another client flags a message and new mail arrives: both show without a click. */
  g_assert_true (heron_test_server_add_flags (server, user, "INBOX", html_uid, "\\Flagged", &error));
  g_assert_no_error (error);
  widgets_test_wait_until (listed_flagged, &flagged, "the flag set by another client");

  bytes = make_message ("arrived@example.test", "Arrived while watching", "text/plain", "Hello.");
  g_assert_true (heron_test_server_deliver_lmtp (server, user, bytes, &error));
  g_assert_no_error (error);
  widgets_test_wait_until (subject_listed, &arrived, "the new message in the list");
}

static gboolean
account_not_online (gpointer data)
{
  return heron_account_get_state (HERON_ACCOUNT (data)) != HERON_SYNC_STATE_ONLINE;
}

static void
check_offline_actions (HeronApplication *app,
                       HeronWindow      *window)
{
  HeronAccount *account = get_account (app);
  g_autoptr(GError) error = NULL;
  g_autoptr(HeronMessage) message = NULL;
  FlaggedWait flagged = { window, PLAIN_SUBJECT, TRUE };

  show_inbox (app, window, 3);
  g_assert_true (server_flags_have (plain_uid, "\\Flagged", FALSE));

  g_assert_true (heron_test_server_stop_imap (server, &error));
  g_assert_no_error (error);
  widgets_test_wait_until (account_not_online, account, "the account to notice the server is down");

  message = select_subject (window, PLAIN_SUBJECT);
  g_action_group_activate_action (G_ACTION_GROUP (window), "flag", NULL);
  /* The list shows it at once; the server cannot have it. */
  widgets_test_wait_until (listed_flagged, &flagged, "the flag in the list while offline");
  g_assert_true (server_flags_have (plain_uid, "\\Flagged", FALSE));
  widgets_test_screenshot (GTK_WIDGET (window), "main-window-offline.png");

  g_assert_true (heron_test_server_start_imap (server, &error));
  g_assert_no_error (error);
  wait_for_server_flag (plain_uid, "\\Flagged", TRUE);
}

static gboolean
notified (gpointer data)
{
  return notify_count > GPOINTER_TO_UINT (data);
}

static gboolean
name_owned (gpointer data)
{
  return notifications_owned;
}

static gboolean
window_inactive (gpointer data)
{
  return !gtk_window_is_active (GTK_WINDOW (data));
}

static void
check_new_mail_notification (HeronApplication *app,
                             HeronWindow      *window)
{
  GSettings *settings = heron_application_get_settings (app);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = NULL;
  SubjectWait arrived = { window, "A notified message" };
  guint before = notify_count;
  GtkWidget *other;
  guint32 uid;

  show_inbox (app, window, 3);
  widgets_test_wait_until (name_owned, NULL, "the notification server's name");
  /* Announced only while the person is not looking at the window: another window (standing for
   * another application) takes the focus. */
  other = gtk_window_new ();
  gtk_window_set_title (GTK_WINDOW (other), "Another application");
  gtk_window_present (GTK_WINDOW (other));
  widgets_test_wait_until (window_inactive, window, "the main window to lose the focus");
  g_settings_set_boolean (settings, "notify-new-mail", TRUE);

  bytes = make_message ("notified@example.test", "A notified message", "text/plain", "Ding.");
  g_assert_true (heron_test_server_deliver_lmtp (server, user, bytes, &error));
  g_assert_no_error (error);
  widgets_test_wait_until (subject_listed, &arrived, "the new message in the list");
  widgets_test_wait_until (notified, GUINT_TO_POINTER (before), "the new-mail notification");
  g_assert_cmpstr (notify_summary, ==, "Grace Hopper");
  g_assert_cmpstr (notify_body, ==, "A notified message");

  /* "Mark as Read" from the notification reaches the server. */
  uid = heron_test_server_find_message (server, user, "INBOX", "notified@example.test", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (uid, >, 0);
  g_assert_true (server_flags_have (uid, "\\Seen", FALSE));
  press_notification_button ("Mark as Read");
  wait_for_server_flag (uid, "\\Seen", TRUE);

  /* A late reply (its Date older than the message it answers) joins that conversation: with
   * conversations on, it is not an item of the folder's list, and the notification still finds
   * it, names it and marks it read. */
  before = notify_count;
  g_clear_pointer (&bytes, g_bytes_unref);
  bytes = make_reply (PLAIN_SUBJECT, "plain@example.test");
  g_assert_true (heron_test_server_deliver_lmtp (server, user, bytes, &error));
  g_assert_no_error (error);
  widgets_test_wait_until (notified, GUINT_TO_POINTER (before), "the notification of the late reply");
  g_assert_cmpstr (notify_summary, ==, "Grace Hopper");
  g_assert_cmpstr (notify_body, ==, "Re: " PLAIN_SUBJECT);
  uid = heron_test_server_find_message (server, user, "INBOX", "late-reply@example.test", &error);
  g_assert_no_error (error);
  g_assert_true (server_flags_have (uid, "\\Seen", FALSE));
  press_notification_button ("Mark as Read");
  wait_for_server_flag (uid, "\\Seen", TRUE);

  g_settings_set_boolean (settings, "notify-new-mail", FALSE);
  gtk_window_destroy (GTK_WINDOW (other));
}

static GtkWidget *
find_child_of_type (GtkWidget *root,
                    GType      type)
{
  if (G_TYPE_CHECK_INSTANCE_TYPE (root, type))
    return root;
  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_child_of_type (child, type);

      if (found != NULL)
        return found;
    }
  return NULL;
}

typedef struct {
  HeronWindow *window;
  GListModel  *folder_list;
} SearchWait;

static gboolean
search_results_shown (gpointer data)
{
  SearchWait *wait = data;
  GListModel *model = heron_message_list_view_get_model (heron_window_get_message_list_view (wait->window));

  return model != NULL && model != wait->folder_list && find_in_list (wait->window, PLAIN_SUBJECT) >= 0;
}

static gboolean
folder_list_back (gpointer data)
{
  SearchWait *wait = data;

  return heron_message_list_view_get_model (heron_window_get_message_list_view (wait->window)) == wait->folder_list;
}

static void
check_search (HeronApplication *app,
              HeronWindow      *window)
{
  HeronMessageListView *list = heron_window_get_message_list_view (window);
  SearchWait wait = { window, NULL };
  GtkWidget *entry;
  GListModel *results;

  show_inbox (app, window, 3);
  wait.folder_list = heron_message_list_view_get_model (list);

  /* The search bar opens, and results replace the folder's list. */
  g_action_group_change_action_state (G_ACTION_GROUP (window), "search", g_variant_new_boolean (TRUE));
  entry = find_child_of_type (GTK_WIDGET (window), GTK_TYPE_SEARCH_ENTRY);
  g_assert_nonnull (entry);
  g_assert_true (gtk_widget_get_mapped (entry));
  gtk_editable_set_text (GTK_EDITABLE (entry), "grey heron");
  widgets_test_wait_until (search_results_shown, &wait, "the search results");
  results = heron_message_list_view_get_model (list);
  g_assert_cmpint (find_in_list (window, HTML_SUBJECT), <, 0);
  g_assert_cmpuint (g_list_model_get_n_items (results), >=, 1);
  widgets_test_screenshot (GTK_WIDGET (window), "main-window-search.png");

  /* Closing the bar brings the folder back. */
  g_action_group_change_action_state (G_ACTION_GROUP (window), "search", g_variant_new_boolean (FALSE));
  widgets_test_wait_until (folder_list_back, &wait, "the folder's list after the search");
}

static GtkWidget *
find_button_with_label (GtkWidget  *root,
                        const char *label)
{
  if (GTK_IS_BUTTON (root) && g_strcmp0 (gtk_button_get_label (GTK_BUTTON (root)), label) == 0 &&
      gtk_widget_get_mapped (root))
    return root;
  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_button_with_label (child, label);

      if (found != NULL)
        return found;
    }
  return NULL;
}

static gboolean
undo_shown (gpointer data)
{
  return find_button_with_label (GTK_WIDGET (data), "_Undo") != NULL;
}

static gboolean
message_gone_from_server (gpointer data)
{
  return !message_on_server (data);
}

static void
check_undo_delete (HeronApplication *app,
                   HeronWindow      *window)
{
  g_autoptr(HeronMessage) message = NULL;
  FindWait in_trash = { "Trash", "undo@example.test" };
  FindWait in_inbox = { "INBOX", "undo@example.test" };
  SubjectWait listed = { window, "Delete and undo" };

  show_inbox (app, window, 3);
  message = select_subject (window, "Delete and undo");
  g_action_group_activate_action (G_ACTION_GROUP (window), "delete", NULL);
  widgets_test_wait_until (subject_gone, &listed, "the deleted message to leave the list");

  /* The toast's Undo brings it back, on the server too. */
  widgets_test_wait_until (undo_shown, window, "the Undo button of the toast");
  g_signal_emit_by_name (find_button_with_label (GTK_WIDGET (window), "_Undo"), "clicked");
  widgets_test_wait_until (subject_listed, &listed, "the message back in the list");
  widgets_test_wait_until (message_on_server, &in_inbox, "the message back in INBOX on the server");
  widgets_test_wait_until (message_gone_from_server, &in_trash, "the message out of Trash on the server");
}

/* Links */

#define LINKS_SUBJECT "Links of every kind"
/* Another application's scheme. (WebKit itself refuses to follow a file: link from the message's
 * page: such a click never reaches the view, so it cannot be driven from here.) */
#define SMB_LINK "smb://fileserver.example.test/share/notes.txt"
#define MAILTO_LINK "mailto:bob@example.test?subject=Hello%20Bob&body=Dear%20Bob"

/* The pointer rests on the link (what WebKit reports on hovering it): the view shows its target. */
static void
hover_link (WebKitWebView *web_view,
            const char    *uri,
            const char    *label)
{
  g_autoptr(WebKitHitTestResult) hit = g_object_new (WEBKIT_TYPE_HIT_TEST_RESULT,
                                                     "context", WEBKIT_HIT_TEST_RESULT_CONTEXT_LINK,
                                                     "link-uri", uri,
                                                     "link-label", label,
                                                     NULL);

  g_signal_emit_by_name (web_view, "mouse-target-changed", hit, 0);
}

/* Clicks the link with @id in the page (a link-clicked navigation, as a click makes). */
static void
click_link (WebKitWebView *web_view,
            const char    *id)
{
  g_autofree char *script = g_strdup_printf ("document.getElementById('%s').click(); 'clicked'", id);
  g_autofree char *answer = web_view_eval (web_view, script);

  g_assert_cmpstr (answer, ==, "clicked");
}

static GtkWidget *
find_link_dialog (const char *uri)
{
  GListModel *toplevels = gtk_window_get_toplevels ();
  guint n = g_list_model_get_n_items (toplevels);

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(GtkWindow) window = g_list_model_get_item (toplevels, i);

      if (ADW_IS_MESSAGE_DIALOG (window) && gtk_widget_get_visible (GTK_WIDGET (window)) &&
          strstr (adw_message_dialog_get_body (ADW_MESSAGE_DIALOG (window)), uri) != NULL)
        return GTK_WIDGET (window);
    }
  return NULL;
}

static gboolean
link_dialog_shown (gpointer data)
{
  return find_link_dialog (data) != NULL;
}

static gboolean
link_dialog_gone (gpointer data)
{
  return find_link_dialog (data) == NULL;
}

static gboolean
find_editable_text (GtkWidget  *root,
                    const char *text)
{
  if (GTK_IS_EDITABLE (root) && strstr (gtk_editable_get_text (GTK_EDITABLE (root)), text) != NULL)
    return TRUE;
  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    if (find_editable_text (child, text))
      return TRUE;
  return FALSE;
}

static GtkWidget *
find_composer (GtkApplication *app)
{
  for (GList *l = gtk_application_get_windows (app); l != NULL; l = l->next)
    if (HERON_IS_COMPOSER_WINDOW (l->data))
      return l->data;
  return NULL;
}

static gboolean
composer_shown (gpointer data)
{
  return find_composer (data) != NULL;
}

static void
check_link_schemes (HeronApplication *app,
                    HeronWindow      *window)
{
  HeronMessageView *view = heron_window_get_message_view (window);
  WebKitWebView *web_view = heron_message_view_get_web_view (view);
  g_autoptr(HeronMessage) message = NULL;
  GtkWidget *dialog;
  GtkWidget *composer;
  HeronAddressEntry *to;

  show_inbox (app, window, 3);
  message = select_subject (window, LINKS_SUBJECT);
  widgets_test_wait_until (reader_ready, window, "the message with links");
  g_assert_true (heron_message_view_get_showing_html (view));

  /* An smb: link, hovered, whose text names no host: still a question naming the whole target,
   * never opened at once. */
  hover_link (web_view, SMB_LINK, "Notes");
  click_link (web_view, "smb-link");
  widgets_test_wait_until (link_dialog_shown, (gpointer) SMB_LINK, "the question before an smb: link opens");
  dialog = find_link_dialog (SMB_LINK);
  g_assert_cmpstr (adw_message_dialog_get_default_response (ADW_MESSAGE_DIALOG (dialog)), ==, "cancel");
  widgets_test_screenshot (dialog, "reader-smb-link.png");
  /* As the Cancel button does: the response, then the dialog closes. */
  adw_message_dialog_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  gtk_window_destroy (GTK_WINDOW (dialog));
  widgets_test_wait_until (link_dialog_gone, (gpointer) SMB_LINK, "the question to close");

  /* A mailto: link opens the application's own composer with the address, subject and body. */
  hover_link (web_view, MAILTO_LINK, "Bob");
  click_link (web_view, "mail-link");
  widgets_test_wait_until (composer_shown, app, "the composer for a mailto: link");
  composer = find_composer (GTK_APPLICATION (app));
  to = HERON_ADDRESS_ENTRY (find_child_of_type (composer, HERON_TYPE_ADDRESS_ENTRY));
  g_assert_nonnull (to);
  g_assert_nonnull (strstr (heron_address_entry_get_text (to), "bob@example.test"));
  g_assert_true (find_editable_text (composer, "Hello Bob"));
  g_assert_null (find_link_dialog ("mailto:"));
  gtk_window_destroy (GTK_WINDOW (composer));
}

/* Folders */

typedef struct {
  HeronAccount *account;
  HeronFolder  *folder;
  gboolean      done;
} CreateFolder;

static void
on_folder_created (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  CreateFolder *create = user_data;
  g_autoptr(GError) error = NULL;

  create->folder = heron_account_create_folder_finish (HERON_ACCOUNT (source), result, &error);
  g_assert_no_error (error);
  g_assert_nonnull (create->folder);
  create->done = TRUE;
}

static gboolean
folder_created (gpointer data)
{
  return ((CreateFolder *) data)->done;
}

static HeronFolder *
create_folder (HeronAccount *account,
               HeronFolder  *parent,
               const char   *name)
{
  CreateFolder create = { account, NULL, FALSE };

  heron_account_create_folder_async (account, parent, name, NULL, on_folder_created, &create);
  widgets_test_wait_until (folder_created, &create, "the new folder");
  return create.folder;
}

/* The expander of @folder's row in the sidebar: -1 when the row has no widget, else whether
 * the expander can be seen. */
static int
sidebar_expander_shown (HeronSidebar *sidebar,
                        HeronFolder  *folder,
                        GtkWidget    *root)
{
  if (root == NULL)
    root = GTK_WIDGET (sidebar);
  if (GTK_IS_TREE_EXPANDER (root))
    {
      g_autoptr(GObject) item = gtk_tree_expander_get_item (GTK_TREE_EXPANDER (root));

      if (item == G_OBJECT (folder))
        {
          for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL;
               child = gtk_widget_get_next_sibling (child))
            if (g_strcmp0 (gtk_widget_get_css_name (child), "expander") == 0)
              return gtk_widget_get_visible (child) && gtk_widget_get_opacity (child) > 0 &&
                     gtk_widget_get_can_target (child);
          return FALSE;
        }
    }
  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      int shown = sidebar_expander_shown (sidebar, folder, child);

      if (shown >= 0)
        return shown;
    }
  return -1;
}

typedef struct {
  HeronSidebar *sidebar;
  HeronFolder  *folder;
  int           shown;
} ExpanderWait;

static gboolean
expander_state_is (gpointer data)
{
  ExpanderWait *wait = data;

  return sidebar_expander_shown (wait->sidebar, wait->folder, NULL) == wait->shown;
}

static void
check_sidebar_subfolder (HeronApplication *app,
                         HeronWindow      *window)
{
  HeronAccount *account = get_account (app);
  HeronSidebar *sidebar = heron_window_get_sidebar (window);
  g_autoptr(HeronFolder) leaf = NULL;
  g_autoptr(HeronFolder) child = NULL;
  ExpanderWait no_expander = { sidebar, NULL, FALSE };
  ExpanderWait expander = { sidebar, NULL, TRUE };

  show_inbox (app, window, 3);

  /* A folder without subfolders: in the tree, with no expander. */
  leaf = create_folder (account, NULL, "Projects");
  g_assert_true (heron_sidebar_select_folder (sidebar, leaf));
  g_assert_true (heron_sidebar_get_selected_folder (sidebar) == leaf);
  no_expander.folder = leaf;
  widgets_test_wait_until (expander_state_is, &no_expander, "the leaf's row without an expander");

  /* Its first subfolder: the leaf gets an expander and the subfolder can be found and chosen. */
  child = create_folder (account, leaf, "Heronry");
  g_assert_true (heron_folder_get_parent (child) == leaf);
  g_assert_cmpuint (g_list_model_get_n_items (heron_folder_get_children (leaf)), ==, 1);
  g_assert_true (heron_sidebar_select_folder (sidebar, child));
  g_assert_true (heron_sidebar_get_selected_folder (sidebar) == child);
  expander.folder = leaf;
  widgets_test_wait_until (expander_state_is, &expander, "the expander of the folder that got a subfolder");
  widgets_test_screenshot (GTK_WIDGET (window), "sidebar-subfolder.png");
}

static gboolean
leaflet_folded (gpointer data)
{
  return adw_leaflet_get_folded (heron_window_get_leaflet (HERON_WINDOW (data)));
}

static void
check_narrow_and_dark (HeronApplication *app,
                       HeronWindow      *window)
{
  AdwStyleManager *style = adw_style_manager_get_default ();
  g_autoptr(HeronMessage) message = NULL;

  show_inbox (app, window, 3);
  message = select_subject (window, HTML_SUBJECT);
  widgets_test_wait_until (reader_ready, window, "the reader");

  /* Dark style, wide. */
  adw_style_manager_set_color_scheme (style, ADW_COLOR_SCHEME_FORCE_DARK);
  g_assert_true (adw_style_manager_get_dark (style));
  widgets_test_screenshot (GTK_WIDGET (window), "main-window-dark.png");
  adw_style_manager_set_color_scheme (style, ADW_COLOR_SCHEME_DEFAULT);

  /* Narrow: one pane at a time; the message list, then the reader. */
  gtk_window_set_default_size (GTK_WINDOW (window), 400, 720);
  widgets_test_wait_until (leaflet_folded, window, "the narrow layout");
  adw_leaflet_set_visible_child_name (heron_window_get_leaflet (window), "list");
  widgets_test_screenshot (GTK_WIDGET (window), "main-window-narrow.png");
  adw_leaflet_set_visible_child_name (heron_window_get_leaflet (window), "reader");
  widgets_test_screenshot (GTK_WIDGET (window), "reader-narrow.png");
  g_action_group_activate_action (G_ACTION_GROUP (window), "go-back", NULL);
  g_assert_cmpstr (adw_leaflet_get_visible_child_name (heron_window_get_leaflet (window)), ==, "list");
  g_action_group_activate_action (G_ACTION_GROUP (window), "go-back", NULL);
  g_assert_cmpstr (adw_leaflet_get_visible_child_name (heron_window_get_leaflet (window)), ==, "sidebar");
  gtk_window_set_default_size (GTK_WINDOW (window), 1100, 720);
}

static void
test_folders_and_messages (void)
{
  run_in_application (check_folders_and_messages);
}

static void
test_open_message (void)
{
  run_in_application (check_open_message);
}

static void
test_remote_content (void)
{
  run_in_application (check_remote_content);
}

static void
test_cid_image (void)
{
  run_in_application (check_cid_image);
}

static void
test_actions (void)
{
  run_in_application (check_actions);
}

static void
test_server_changes (void)
{
  run_in_application (check_server_changes_appear);
}

static void
test_offline_actions (void)
{
  run_in_application (check_offline_actions);
}

static void
test_undo_delete (void)
{
  run_in_application (check_undo_delete);
}

static void
test_search (void)
{
  run_in_application (check_search);
}

static void
test_new_mail_notification (void)
{
  run_in_application (check_new_mail_notification);
}

static void
test_link_schemes (void)
{
  run_in_application (check_link_schemes);
}

static void
test_sidebar_subfolder (void)
{
  run_in_application (check_sidebar_subfolder);
}

static void
test_narrow_and_dark (void)
{
  run_in_application (check_narrow_and_dark);
}

/* Setup: one server, one user, one account for the program. */

static guint32
deliver (const char *message_id,
         const char *subject,
         const char *content_type,
         const char *body)
{
  g_autoptr(GBytes) bytes = make_message (message_id, subject, content_type, body);
  g_autoptr(GError) error = NULL;
  guint32 uid = heron_test_server_deliver (server, user, "INBOX", bytes, NULL, &error);

  g_assert_no_error (error);
  g_assert_cmpuint (uid, >, 0);
  return uid;
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  g_autofree char *html = NULL;
  g_autoptr(GSettings) settings = NULL;
  HeronSeedSpec spec = { .seed = 7, .first_index = 0, .count = SEEDED, .newest_date = 0 };
  int status;

  gtk_test_init (&argc, &argv, NULL);
  adw_init ();

  /* New mail is announced only in the test that checks it. */
  settings = g_settings_new (HERON_APP_ID);
  /* Screenshots of a settled window, not of a transition. */
  g_object_set (gtk_settings_get_default (), "gtk-enable-animations", FALSE, NULL);
  g_settings_set_boolean (settings, "notify-new-mail", FALSE);

  server = heron_test_server_new_full (HERON_TEST_SERVER_FLAGS_NO_SMTP, &error);
  g_assert_no_error (error);
  user = heron_test_server_get_user (server);
  start_http_server ();
  start_notification_server ();

  /* The seed corpus for a realistic list, then the messages the tests look for (newer). */
  spec.owner_address = user;
  g_assert_true (heron_test_server_seed (server, user, "INBOX", &spec, &error));
  g_assert_no_error (error);
  deliver ("seed-archive@example.test", "To be archived", "text/plain", "Please file this.");
  deliver ("seed-trash@example.test", "To be deleted", "text/plain", "Nobody needs this.");
  deliver ("undo@example.test", "Delete and undo", "text/plain", "Oops.");
  plain_uid = deliver ("plain@example.test", PLAIN_SUBJECT, "text/plain", PLAIN_TEXT);
  html = make_remote_html ();
  html_uid = deliver ("html@example.test", HTML_SUBJECT, "text/html", html);
  deliver ("cid@example.test", CID_SUBJECT, "multipart/related; type=\"text/html\"; boundary=\"b1\"",
           "--b1\r\n"
           "Content-Type: text/html; charset=utf-8\r\n\r\n"
           "<html><body><p>Our new logo:</p><img id=\"pic\" src=\"cid:logo@example.test\"></body></html>\r\n"
           "--b1\r\n"
           "Content-Type: image/png\r\n"
           "Content-Transfer-Encoding: base64\r\n"
           "Content-ID: <logo@example.test>\r\n\r\n"
           CID_PNG_BASE64 "\r\n"
           "--b1--");
  deliver ("links@example.test", LINKS_SUBJECT, "text/html",
           "<html><body><p>Things to look at:</p>"
           "<p><a id=\"smb-link\" href=\"" SMB_LINK "\">Notes</a></p>"
           "<p><a id=\"mail-link\" href=\"" MAILTO_LINK "\">Bob</a></p></body></html>");
  account_id = widgets_test_save_account (server, user, "Alice Liddell", "Example Mail");

  g_test_add_func ("/heron/app/gui/main-window/folders-and-messages", test_folders_and_messages);
  g_test_add_func ("/heron/app/gui/main-window/open-message", test_open_message);
  g_test_add_func ("/heron/app/gui/main-window/remote-content-blocked", test_remote_content);
  g_test_add_func ("/heron/app/gui/main-window/cid-image", test_cid_image);
  g_test_add_func ("/heron/app/gui/main-window/actions-reach-server", test_actions);
  g_test_add_func ("/heron/app/gui/main-window/server-changes-appear", test_server_changes);
  g_test_add_func ("/heron/app/gui/main-window/offline-actions", test_offline_actions);
  g_test_add_func ("/heron/app/gui/main-window/undo-delete", test_undo_delete);
  g_test_add_func ("/heron/app/gui/main-window/search", test_search);
  g_test_add_func ("/heron/app/gui/main-window/new-mail-notification", test_new_mail_notification);
  g_test_add_func ("/heron/app/gui/main-window/link-schemes", test_link_schemes);
  g_test_add_func ("/heron/app/gui/main-window/sidebar-subfolder", test_sidebar_subfolder);
  g_test_add_func ("/heron/app/gui/main-window/narrow-and-dark", test_narrow_and_dark);

  status = g_test_run ();

  g_socket_service_stop (http_service);
  g_clear_object (&http_service);
  heron_test_server_free (server);
  g_free (account_id);
  return status;
}
