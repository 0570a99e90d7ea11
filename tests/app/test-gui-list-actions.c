/* test-gui-list-actions.c: the message list's context menu, drag and drop onto a sidebar
 * folder, and a multiple selection, in the real HeronApplication under Xvfb against the
 * harness's Dovecot; each action is checked on the server.
 *
 * The context menu is opened by the row's own secondary-button gesture (its "pressed" signal,
 * as a right click emits it) and its items are the popover's own buttons, clicked. A drag
 * cannot be synthesised under Xvfb (GTK needs a pointer grab from a real input device), so the
 * drag is driven through the same controllers: the row's GtkDragSource is asked to "prepare"
 * its GdkContentProvider, exactly as it does when a drag starts, and the sidebar folder's
 * GtkDropTarget gets that provider's value in its "drop" signal. A screenshot of the open menu
 * goes to $HERON_TEST_SCREENSHOT_DIR/list-context-menu.png.
 *
 * Run inside tests/harness/heron-test-session --display.
 *
 * Copyright 2026 The Heron developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gstdio.h>

#include "heron-application.h"
#include "heron-message-row.h"
#include "heron-test-server.h"
#include "app-test-util.h"
#include "widgets-test-util.h"
#include "heron-window.h"

/* A guard against hanging, not a timed assertion: every wait is for an event that must come. */

static HeronTestServer *server;
static const char *user;
static char *account_id;
static guint32 read_uid;

/* The server side */

static guint32
deliver (const char *message_id,
         const char *subject)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *date = g_date_time_format (now, "%a, %d %b %Y %H:%M:%S %z");
  g_autofree char *text = g_strdup_printf ("From: Grace Hopper <grace@example.test>\r\n"
                                           "To: %s\r\n"
                                           "Subject: %s\r\n"
                                           "Date: %s\r\n"
                                           "Message-ID: <%s>\r\n"
                                           "MIME-Version: 1.0\r\n"
                                           "Content-Type: text/plain; charset=utf-8\r\n"
                                           "\r\n"
                                           "Some text.\r\n",
                                           user, subject, date, message_id);
  g_autoptr(GBytes) bytes = g_bytes_new (text, strlen (text));
  g_autoptr(GError) error = NULL;
  guint32 uid = heron_test_server_deliver (server, user, "INBOX", bytes, NULL, &error);

  g_assert_no_error (error);
  g_assert_cmpuint (uid, >, 0);
  return uid;
}

typedef struct {
  const char *mailbox;
  const char *message_id;
  gboolean    wanted;
} FindWait;

static gboolean
server_has (gpointer data)
{
  FindWait *wait = data;
  g_autoptr(GError) error = NULL;
  static gint64 last;

  /* doveadm is a process: ask a few times a second, not in a busy loop */
  if (g_get_monotonic_time () - last < 250 * 1000)
    return FALSE;
  last = g_get_monotonic_time ();
  return (heron_test_server_find_message (server, user, wait->mailbox, wait->message_id, &error) != 0) == wait->wanted;
}

/* The message is in @mailbox on the server and no longer in INBOX. */
static void
wait_moved (const char *message_id,
            const char *mailbox)
{
  FindWait there = { mailbox, message_id, TRUE };
  FindWait gone = { "INBOX", message_id, FALSE };
  g_autofree char *what = g_strdup_printf ("%s in %s on the server", message_id, mailbox);
  g_autofree char *what_gone = g_strdup_printf ("%s out of INBOX on the server", message_id);

  widgets_test_wait_until (server_has, &there, what);
  widgets_test_wait_until (server_has, &gone, what_gone);
}

typedef struct {
  guint32     uid;
  const char *flag;
} FlagWait;

static gboolean
server_flag_set (gpointer data)
{
  FlagWait *wait = data;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) flags = NULL;
  static gint64 last;

  if (g_get_monotonic_time () - last < 250 * 1000)
    return FALSE;
  last = g_get_monotonic_time ();
  flags = heron_test_server_get_flags (server, user, "INBOX", wait->uid, &error);
  g_assert_no_error (error);
  return g_strv_contains ((const char * const *) flags, wait->flag);
}

/* The application side */

static void
run_in_application (AppTestCheck check)
{
  app_test_run ("test-gui-list-actions", check);
}

static HeronAccount *
get_account (HeronApplication *app)
{
  return app_test_get_account (app, account_id);
}

static gboolean
folders_known (gpointer data)
{
  HeronAccount *account = data;

  return heron_account_lookup_folder (account, "INBOX") != NULL &&
         heron_account_lookup_folder (account, "Archive") != NULL &&
         heron_account_lookup_folder (account, "Trash") != NULL;
}

/* Widgets */

static void
collect_widgets (GtkWidget *widget,
                 GType      type,
                 GPtrArray *out)
{
  if (G_TYPE_CHECK_INSTANCE_TYPE (widget, type))
    g_ptr_array_add (out, widget);
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL; child = gtk_widget_get_next_sibling (child))
    collect_widgets (child, type, out);
}

typedef struct {
  HeronWindow *window;
  const char  *subject;
} RowWait;

/* The row widget the list shows for @subject (mapped), or NULL. */
static GtkWidget *
find_row (HeronWindow *window,
          const char  *subject)
{
  g_autoptr(GPtrArray) rows = g_ptr_array_new ();

  collect_widgets (GTK_WIDGET (heron_window_get_message_list_view (window)), HERON_TYPE_MESSAGE_ROW, rows);
  for (guint i = 0; i < rows->len; i++)
    {
      HeronMessage *message = heron_message_row_get_message (g_ptr_array_index (rows, i));

      if (message != NULL && gtk_widget_get_mapped (g_ptr_array_index (rows, i)) &&
          g_strcmp0 (heron_message_get_subject (message), subject) == 0)
        return g_ptr_array_index (rows, i);
    }
  return NULL;
}

static gboolean
row_shown (gpointer data)
{
  RowWait *wait = data;

  return find_row (wait->window, wait->subject) != NULL;
}

static gboolean
row_gone (gpointer data)
{
  return !row_shown (data);
}

static GtkWidget *
wait_for_row (HeronWindow *window,
              const char  *subject)
{
  RowWait wait = { window, subject };

  widgets_test_wait_until (row_shown, &wait, subject);
  return find_row (window, subject);
}

static GtkEventController *
find_controller (GtkWidget *widget,
                 GType      type,
                 guint      button)
{
  g_autoptr(GListModel) controllers = gtk_widget_observe_controllers (widget);

  for (guint i = 0; i < g_list_model_get_n_items (controllers); i++)
    {
      g_autoptr(GtkEventController) controller = g_list_model_get_item (controllers, i);

      if (G_TYPE_CHECK_INSTANCE_TYPE (controller, type) &&
          (button == 0 || gtk_gesture_single_get_button (GTK_GESTURE_SINGLE (controller)) == button))
        return controller;
    }
  return NULL;
}

static GtkWidget *
context_popover (HeronWindow *window)
{
  g_autoptr(GPtrArray) popovers = g_ptr_array_new ();

  collect_widgets (GTK_WIDGET (heron_window_get_message_list_view (window)), GTK_TYPE_POPOVER_MENU, popovers);
  g_assert_cmpuint (popovers->len, ==, 1);
  return g_ptr_array_index (popovers, 0);
}

static gboolean
widget_mapped (gpointer data)
{
  return gtk_widget_get_mapped (data);
}

static gboolean
widget_unmapped (gpointer data)
{
  return !gtk_widget_get_mapped (data);
}

/* A right click on the row of @subject: its secondary-button gesture's "pressed". */
static GtkWidget *
open_context_menu (HeronWindow *window,
                   const char  *subject)
{
  GtkWidget *row = wait_for_row (window, subject);
  GtkEventController *click = find_controller (row, GTK_TYPE_GESTURE_CLICK, GDK_BUTTON_SECONDARY);
  GtkWidget *popover;

  g_assert_nonnull (click);
  g_signal_emit_by_name (click, "pressed", 1, 20.0, 10.0);
  popover = context_popover (window);
  widgets_test_wait_until (widget_mapped, popover, "the context menu");
  return popover;
}

/* The label (without its mnemonic's underscore) of the item of @model (or of its sections and
 * submenus) for @action and @target; *in_submenu says whether a submenu holds it. */
static char *
menu_label_for (GMenuModel *model,
                const char *action,
                const char *target,
                gboolean   *in_submenu)
{
  for (int i = 0; i < g_menu_model_get_n_items (model); i++)
    {
      g_autofree char *item_action = NULL;
      g_autofree char *label = NULL;
      g_autoptr(GVariant) item_target = g_menu_model_get_item_attribute_value (model, i, G_MENU_ATTRIBUTE_TARGET, NULL);
      const char *links[] = { G_MENU_LINK_SECTION, G_MENU_LINK_SUBMENU };

      if (g_menu_model_get_item_attribute (model, i, G_MENU_ATTRIBUTE_ACTION, "s", &item_action) &&
          g_strcmp0 (item_action, action) == 0 &&
          (target == NULL || (item_target != NULL && g_variant_is_of_type (item_target, G_VARIANT_TYPE_STRING) &&
                              g_strcmp0 (g_variant_get_string (item_target, NULL), target) == 0)) &&
          g_menu_model_get_item_attribute (model, i, G_MENU_ATTRIBUTE_LABEL, "s", &label))
        {
          g_auto(GStrv) parts = g_strsplit (label, "_", -1);

          return g_strjoinv ("", parts);
        }
      for (guint l = 0; l < G_N_ELEMENTS (links); l++)
        {
          g_autoptr(GMenuModel) link = g_menu_model_get_item_link (model, i, links[l]);
          char *found = link != NULL ? menu_label_for (link, action, target, in_submenu) : NULL;

          if (found != NULL)
            {
              *in_submenu |= l == 1;
              return found;
            }
        }
    }
  return NULL;
}

/* Whether @widget is on the popover's main page (not a submenu's). */
static gboolean
on_main_page (GtkWidget *widget)
{
  for (GtkWidget *w = widget; gtk_widget_get_parent (w) != NULL; w = gtk_widget_get_parent (w))
    if (GTK_IS_STACK (gtk_widget_get_parent (w)))
      return w == gtk_stack_get_child_by_name (GTK_STACK (gtk_widget_get_parent (w)), "main");
  return TRUE;
}

/* Clicks the menu's button for @action (with @target, or none): the button the popover made
 * for that item of its menu model (GtkModelButton, found by its text on its page). */
static void
click_menu_item (GtkWidget  *popover,
                 const char *action,
                 const char *target)
{
  g_autoptr(GPtrArray) widgets = g_ptr_array_new ();
  gboolean in_submenu = FALSE;
  g_autofree char *label = menu_label_for (gtk_popover_menu_get_menu_model (GTK_POPOVER_MENU (popover)), action, target,
                                           &in_submenu);

  g_assert_nonnull (label);
  collect_widgets (popover, GTK_TYPE_WIDGET, widgets);
  for (guint i = 0; i < widgets->len; i++)
    {
      GtkWidget *widget = g_ptr_array_index (widgets, i);
      g_autofree char *text = NULL;

      if (g_strcmp0 (G_OBJECT_TYPE_NAME (widget), "GtkModelButton") != 0)
        continue;
      g_object_get (widget, "text", &text, NULL);
      if (g_strcmp0 (text, label) != 0 || on_main_page (widget) == in_submenu)
        continue;
      g_assert_true (gtk_widget_is_sensitive (widget));
      g_signal_emit_by_name (widget, "clicked");
      widgets_test_wait_until (widget_unmapped, popover, "the context menu to close");
      return;
    }
  g_error ("No button for %s (%s) in the context menu", action, target != NULL ? target : "no target");
}

static HeronFolder *
show_inbox (HeronApplication *app,
            HeronWindow      *window)
{
  HeronAccount *account = get_account (app);
  HeronFolder *inbox;

  widgets_test_wait_until (folders_known, account, "INBOX, Archive and Trash in the account");
  inbox = heron_account_lookup_folder (account, "INBOX");
  g_assert_true (heron_window_show_folder (window, inbox));
  return inbox;
}

/* The context menu: Mark as Read, Move To › Archive, Delete, each on the server */
static void
check_context_menu (HeronApplication *app,
                    HeronWindow      *window)
{
  GtkWidget *popover;
  FlagWait seen = { read_uid, "\\Seen" };
  RowWait moved = { window, "Context move" };
  RowWait deleted = { window, "Context delete" };

  show_inbox (app, window);

  popover = open_context_menu (window, "Context read");
  /* the menu acts on the row it was opened on */
  g_assert_cmpuint (heron_message_list_view_get_n_selected (heron_window_get_message_list_view (window)), ==, 1);
  widgets_test_screenshot (popover, "list-context-menu.png");
  click_menu_item (popover, "win.mark-read", NULL);
  widgets_test_wait_until (server_flag_set, &seen, "\\Seen on the server");

  popover = open_context_menu (window, "Context move");
  click_menu_item (popover, "win.move-to", "Archive");
  wait_moved ("context-move@example.test", "Archive");
  widgets_test_wait_until (row_gone, &moved, "the moved message to leave the list");

  popover = open_context_menu (window, "Context delete");
  click_menu_item (popover, "win.delete", NULL);
  wait_moved ("context-delete@example.test", "Trash");
  widgets_test_wait_until (row_gone, &deleted, "the deleted message to leave the list");
}

static void
test_context_menu (void)
{
  run_in_application (check_context_menu);
}

/* Drag a row onto Archive in the sidebar */
static GtkWidget *
sidebar_folder_row (HeronWindow *window,
                    const char  *name)
{
  g_autoptr(GPtrArray) expanders = g_ptr_array_new ();

  collect_widgets (GTK_WIDGET (heron_window_get_sidebar (window)), GTK_TYPE_TREE_EXPANDER, expanders);
  for (guint i = 0; i < expanders->len; i++)
    {
      g_autoptr(GObject) item = gtk_tree_expander_get_item (g_ptr_array_index (expanders, i));

      if (item != NULL && HERON_IS_FOLDER (item) && g_strcmp0 (heron_folder_get_name (HERON_FOLDER (item)), name) == 0)
        return g_ptr_array_index (expanders, i);
    }
  return NULL;
}

static void
check_drag_to_folder (HeronApplication *app,
                      HeronWindow      *window)
{
  GtkWidget *row, *target_row;
  GtkEventController *drag, *drop;
  g_autoptr(GdkContentProvider) content = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GValue) value = G_VALUE_INIT;
  GListModel *messages;
  gboolean accepted = FALSE;
  RowWait dragged = { window, "Dragged away" };

  show_inbox (app, window);
  row = wait_for_row (window, "Dragged away");
  drag = find_controller (row, GTK_TYPE_DRAG_SOURCE, 0);
  g_assert_nonnull (drag);

  /* what the drag carries: the row's message (it is not selected) */
  g_signal_emit_by_name (drag, "prepare", 10.0, 10.0, &content);
  g_assert_nonnull (content);
  g_value_init (&value, G_TYPE_LIST_STORE);
  g_assert_true (gdk_content_provider_get_value (content, &value, &error));
  g_assert_no_error (error);
  messages = g_value_get_object (&value);
  g_assert_cmpuint (g_list_model_get_n_items (messages), ==, 1);

  /* dropped on Archive in the sidebar */
  target_row = sidebar_folder_row (window, "Archive");
  g_assert_nonnull (target_row);
  drop = find_controller (target_row, GTK_TYPE_DROP_TARGET, 0);
  g_assert_nonnull (drop);
  g_signal_emit_by_name (drop, "drop", &value, 5.0, 5.0, &accepted);
  g_assert_true (accepted);
  wait_moved ("dragged@example.test", "Archive");
  widgets_test_wait_until (row_gone, &dragged, "the dragged message to leave the list");
}

static void
test_drag_to_folder (void)
{
  run_in_application (check_drag_to_folder);
}

/* Two rows selected, Delete from the menu: both go to Trash */
static gboolean
list_selection_model (GtkWidget          *root,
                      GtkSelectionModel **out)
{
  g_autoptr(GPtrArray) views = g_ptr_array_new ();

  collect_widgets (root, GTK_TYPE_LIST_VIEW, views);
  if (views->len != 1)
    return FALSE;
  *out = gtk_list_view_get_model (g_ptr_array_index (views, 0));
  return *out != NULL;
}

static guint
position_of (GtkSelectionModel *model,
             const char        *subject)
{
  for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (model)); i++)
    {
      g_autoptr(HeronMessage) message = g_list_model_get_item (G_LIST_MODEL (model), i);

      if (g_strcmp0 (heron_message_get_subject (message), subject) == 0)
        return i;
    }
  g_error ("%s is not in the list", subject);
  return 0;
}

static void
check_multi_select_delete (HeronApplication *app,
                           HeronWindow      *window)
{
  HeronMessageListView *view = heron_window_get_message_list_view (window);
  GtkSelectionModel *model = NULL;
  GtkWidget *popover;
  RowWait one = { window, "Multi one" };
  RowWait two = { window, "Multi two" };

  show_inbox (app, window);
  wait_for_row (window, "Multi one");
  wait_for_row (window, "Multi two");
  g_assert_true (list_selection_model (GTK_WIDGET (view), &model));
  g_assert_true (gtk_selection_model_select_item (model, position_of (model, "Multi one"), TRUE));
  g_assert_true (gtk_selection_model_select_item (model, position_of (model, "Multi two"), FALSE));
  g_assert_cmpuint (heron_message_list_view_get_n_selected (view), ==, 2);

  /* the menu on a selected row keeps the selection */
  popover = open_context_menu (window, "Multi two");
  g_assert_cmpuint (heron_message_list_view_get_n_selected (view), ==, 2);
  click_menu_item (popover, "win.delete", NULL);
  wait_moved ("multi-one@example.test", "Trash");
  wait_moved ("multi-two@example.test", "Trash");
  widgets_test_wait_until (row_gone, &one, "the first deleted message to leave the list");
  widgets_test_wait_until (row_gone, &two, "the second deleted message to leave the list");
}

static void
test_multi_select_delete (void)
{
  run_in_application (check_multi_select_delete);
}

/* Setup */

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSettings) settings = NULL;
  int status;

  gtk_test_init (&argc, &argv, NULL);
  adw_init ();

  settings = g_settings_new (HERON_APP_ID);
  g_object_set (gtk_settings_get_default (), "gtk-enable-animations", FALSE, NULL);
  g_settings_set_boolean (settings, "notify-new-mail", FALSE);

  server = heron_test_server_new_full (HERON_TEST_SERVER_FLAGS_NO_SMTP, &error);
  g_assert_no_error (error);
  user = heron_test_server_get_user (server);

  read_uid = deliver ("context-read@example.test", "Context read");
  deliver ("context-move@example.test", "Context move");
  deliver ("context-delete@example.test", "Context delete");
  deliver ("dragged@example.test", "Dragged away");
  deliver ("multi-one@example.test", "Multi one");
  deliver ("multi-two@example.test", "Multi two");
  account_id = widgets_test_save_account (server, user, "Alice Liddell", "Example Mail");

  g_test_add_func ("/heron/app/gui/list-actions/context-menu", test_context_menu);
  g_test_add_func ("/heron/app/gui/list-actions/drag-to-folder", test_drag_to_folder);
  g_test_add_func ("/heron/app/gui/list-actions/multi-select-delete", test_multi_select_delete);

  status = g_test_run ();

  heron_test_server_free (server);
  g_free (account_id);
  return status;
}
