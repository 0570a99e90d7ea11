/* heron-sidebar.c: the unified inbox, then each account with its folder tree
 *
 * One GtkListView over a GtkTreeListModel: the top level is the unified inbox followed by the
 * manager's accounts; an account's children are heron_account_get_folders(), a folder's are
 * heron_folder_get_children(). Every model here is the backend's own, so the tree follows
 * folders created, renamed or deleted anywhere without a reload.
 *
 * Copyright 2026 The Heron developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>

#include "heron-sidebar.h"

#define UNIFIED_INBOX_ID "unified-inbox"

struct _HeronSidebar
{
  GtkWidget            parent_instance;

  HeronAccountManager *manager;
  GtkTreeListModel    *tree;
  GtkSingleSelection  *selection;

  /* Template children */
  GtkScrolledWindow   *scrolled_window;
  GtkListView         *list_view;
};

G_DEFINE_FINAL_TYPE (HeronSidebar, heron_sidebar, GTK_TYPE_WIDGET)

enum {
  SIGNAL_SELECTION_CHANGED,
  SIGNAL_MESSAGES_DROPPED,
  SIGNAL_FOLDER_ACTIVATED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* What one row widget shows and follows. */
typedef struct {
  GtkWidget *expander;
  GtkImage  *icon;
  GtkLabel  *label;
  GtkLabel  *count;
  GtkImage  *state_icon;
  GtkListItem *list_item;
  GObject   *item;
  GListModel *children;    /* of a folder: its expander shows only while this has items */
} SidebarRow;

GtkWidget *
heron_sidebar_new (void)
{
  return g_object_new (HERON_TYPE_SIDEBAR, NULL);
}

static GListModel *
create_children (gpointer item,
                 gpointer user_data)
{
  if (HERON_IS_ACCOUNT (item))
    return g_object_ref (heron_account_get_folders (HERON_ACCOUNT (item)));
  /* Always the folder's list, also while it is empty: GtkTreeListModel remembers a NULL for
   * good, so a folder that gets its first subfolder later could never open. The row hides its
   * expander while the list is empty (sidebar_row_update_expander). */
  if (HERON_IS_FOLDER (item))
    return g_object_ref (heron_folder_get_children (HERON_FOLDER (item)));
  return NULL;
}

static gpointer
heron_sidebar_get_selected_item (HeronSidebar *self)
{
  GtkTreeListRow *row;

  if (self->selection == NULL)
    return NULL;
  row = gtk_single_selection_get_selected_item (self->selection);
  if (row == NULL)
    return NULL;
  return gtk_tree_list_row_get_item (row);  /* transfer full */
}

HeronFolder *
heron_sidebar_get_selected_folder (HeronSidebar *self)
{
  g_autoptr(GObject) item = NULL;

  g_return_val_if_fail (HERON_IS_SIDEBAR (self), NULL);

  item = heron_sidebar_get_selected_item (self);
  if (HERON_IS_FOLDER (item))
    return HERON_FOLDER (item);  /* the account keeps its folders alive */
  if (HERON_IS_ACCOUNT (item))
    return heron_account_get_folder_for_role (HERON_ACCOUNT (item), HERON_FOLDER_ROLE_INBOX);
  return NULL;
}

gboolean
heron_sidebar_get_unified_selected (HeronSidebar *self)
{
  g_autoptr(GObject) item = NULL;

  g_return_val_if_fail (HERON_IS_SIDEBAR (self), FALSE);

  item = heron_sidebar_get_selected_item (self);
  return GTK_IS_STRING_OBJECT (item);
}

void
heron_sidebar_select_unified (HeronSidebar *self)
{
  g_return_if_fail (HERON_IS_SIDEBAR (self));

  if (self->selection != NULL && g_list_model_get_n_items (G_LIST_MODEL (self->selection)) > 0)
    gtk_single_selection_set_selected (self->selection, 0);
}

gboolean
heron_sidebar_select_folder (HeronSidebar *self,
                             HeronFolder  *folder)
{
  guint n;

  g_return_val_if_fail (HERON_IS_SIDEBAR (self), FALSE);
  g_return_val_if_fail (HERON_IS_FOLDER (folder), FALSE);

  if (self->tree == NULL)
    return FALSE;

  /* Expand the way down: the account, then each parent from the top. */
  n = g_list_model_get_n_items (G_LIST_MODEL (self->tree));
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(GtkTreeListRow) row = g_list_model_get_item (G_LIST_MODEL (self->tree), i);
      g_autoptr(GObject) item = gtk_tree_list_row_get_item (row);

      if (item == G_OBJECT (heron_folder_get_account (folder)))
        gtk_tree_list_row_set_expanded (row, TRUE);
      else if (HERON_IS_FOLDER (item))
        {
          for (HeronFolder *parent = heron_folder_get_parent (folder);
               parent != NULL;
               parent = heron_folder_get_parent (parent))
            if (parent == HERON_FOLDER (item))
              gtk_tree_list_row_set_expanded (row, TRUE);
        }
      n = g_list_model_get_n_items (G_LIST_MODEL (self->tree));
    }

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(GtkTreeListRow) row = g_list_model_get_item (G_LIST_MODEL (self->tree), i);
      g_autoptr(GObject) item = gtk_tree_list_row_get_item (row);

      if (item == G_OBJECT (folder))
        {
          gtk_single_selection_set_selected (self->selection, i);
          gtk_widget_activate_action (GTK_WIDGET (self->list_view), "list.scroll-to-item", "u", i);
          return TRUE;
        }
    }
  return FALSE;
}

static void
on_selected_changed (HeronSidebar *self)
{
  g_signal_emit (self, signals[SIGNAL_SELECTION_CHANGED], 0);
}

void
heron_sidebar_set_manager (HeronSidebar        *self,
                           HeronAccountManager *manager)
{
  g_autoptr(GListStore) top = NULL;
  g_autoptr(GListStore) unified = NULL;
  g_autoptr(GtkStringObject) unified_item = NULL;
  GtkFlattenListModel *flat;

  g_return_if_fail (HERON_IS_SIDEBAR (self));
  g_return_if_fail (manager == NULL || HERON_IS_ACCOUNT_MANAGER (manager));

  if (self->manager == manager)
    return;

  if (self->selection != NULL)
    g_signal_handlers_disconnect_by_func (self->selection, on_selected_changed, self);
  gtk_list_view_set_model (self->list_view, NULL);
  g_clear_object (&self->selection);
  g_clear_object (&self->tree);
  g_set_object (&self->manager, manager);

  if (manager != NULL)
    {
      unified = g_list_store_new (GTK_TYPE_STRING_OBJECT);
      unified_item = gtk_string_object_new (UNIFIED_INBOX_ID);
      g_list_store_append (unified, unified_item);

      top = g_list_store_new (G_TYPE_LIST_MODEL);
      g_list_store_append (top, unified);
      g_list_store_append (top, heron_account_manager_get_accounts (manager));
      flat = gtk_flatten_list_model_new (G_LIST_MODEL (g_steal_pointer (&top)));

      self->tree = gtk_tree_list_model_new (G_LIST_MODEL (flat), FALSE, TRUE,
                                            create_children, NULL, NULL);
      self->selection = gtk_single_selection_new (g_object_ref (G_LIST_MODEL (self->tree)));
      gtk_single_selection_set_can_unselect (self->selection, FALSE);
      g_signal_connect_object (self->selection, "notify::selected-item",
                               G_CALLBACK (on_selected_changed), self, G_CONNECT_SWAPPED);
    }
  gtk_list_view_set_model (self->list_view, GTK_SELECTION_MODEL (self->selection));
  g_signal_emit (self, signals[SIGNAL_SELECTION_CHANGED], 0);
}

/* Rows */

/* Icon names of the naming specification that older Adwaita themes lack (Debian 12 has no
 * mail-inbox-symbolic) fall back to one every theme has. */
static void
set_icon (GtkImage   *image,
          const char *name,
          const char *fallback)
{
  const char *names[] = { name, fallback, NULL };
  g_autoptr(GIcon) icon = g_themed_icon_new_from_names ((char **) names, -1);

  gtk_image_set_from_gicon (image, icon);
}

static void
sidebar_row_refresh (SidebarRow *row)
{
  GObject *item = row->item;
  guint unread = 0;

  gtk_widget_remove_css_class (GTK_WIDGET (row->label), "heading");
  gtk_widget_remove_css_class (GTK_WIDGET (row->label), "dim-label");
  gtk_widget_set_visible (GTK_WIDGET (row->state_icon), FALSE);

  if (HERON_IS_FOLDER (item))
    {
      HeronFolder *folder = HERON_FOLDER (item);

      set_icon (row->icon, heron_folder_get_icon_name (folder),
                heron_folder_get_role (folder) == HERON_FOLDER_ROLE_INBOX ? "mail-unread-symbolic" : "folder-symbolic");
      gtk_label_set_text (row->label, heron_folder_get_display_name (folder));
      if (!heron_folder_get_selectable (folder))
        gtk_widget_add_css_class (GTK_WIDGET (row->label), "dim-label");
      /* Unread counts matter where mail arrives, not in Trash, Junk, Sent or Drafts. */
      switch (heron_folder_get_role (folder))
        {
        case HERON_FOLDER_ROLE_TRASH:
        case HERON_FOLDER_ROLE_JUNK:
        case HERON_FOLDER_ROLE_SENT:
        case HERON_FOLDER_ROLE_DRAFTS:
          break;
        default:
          unread = heron_folder_get_unread_count (folder);
          break;
        }
    }
  else if (HERON_IS_ACCOUNT (item))
    {
      HeronAccount *account = HERON_ACCOUNT (item);
      const char *state_icon = NULL;
      const char *state_tooltip = NULL;

      gtk_image_set_from_icon_name (row->icon, "avatar-default-symbolic");
      gtk_label_set_text (row->label, heron_account_get_display_name (account));
      gtk_widget_add_css_class (GTK_WIDGET (row->label), "heading");
      switch (heron_account_get_state (account))
        {
        case HERON_SYNC_STATE_OFFLINE:
          state_icon = "network-offline-symbolic";
          state_tooltip = _("Offline");
          break;
        case HERON_SYNC_STATE_AUTH_FAILED:
          state_icon = "dialog-password-symbolic";
          state_tooltip = _("The server did not accept the password");
          break;
        case HERON_SYNC_STATE_UNTRUSTED:
          state_icon = "security-low-symbolic";
          state_tooltip = _("The server's certificate is not trusted");
          break;
        case HERON_SYNC_STATE_STOPPED:
        case HERON_SYNC_STATE_CONNECTING:
        case HERON_SYNC_STATE_ONLINE:
        default:
          break;
        }
      if (state_icon != NULL)
        {
          gtk_image_set_from_icon_name (row->state_icon, state_icon);
          gtk_widget_set_tooltip_text (GTK_WIDGET (row->state_icon), state_tooltip);
          gtk_accessible_update_property (GTK_ACCESSIBLE (row->state_icon),
                                          GTK_ACCESSIBLE_PROPERTY_LABEL, state_tooltip, -1);
          gtk_widget_set_visible (GTK_WIDGET (row->state_icon), TRUE);
        }
    }
  else
    {
      set_icon (row->icon, "mail-inbox-symbolic", "mail-unread-symbolic");
      gtk_label_set_text (row->label, _("All Inboxes"));
    }

  if (unread > 0)
    {
      g_autofree char *text = g_strdup_printf ("%u", unread);

      gtk_label_set_text (row->count, text);
    }
  gtk_widget_set_visible (GTK_WIDGET (row->count), unread > 0);
}

/* GTK 4.8's GtkTreeExpander has no hide-expander (4.10): its "expander" node (a documented CSS
 * node) is made transparent and untargetable, so it keeps its place (the labels of a level stay
 * aligned) but neither shows nor takes a click while the folder has no subfolder. */
static void
sidebar_row_update_expander (SidebarRow *row)
{
  gboolean leaf = row->children != NULL && g_list_model_get_n_items (row->children) == 0;

  for (GtkWidget *child = gtk_widget_get_first_child (row->expander); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    if (g_strcmp0 (gtk_widget_get_css_name (child), "expander") == 0)
      {
        gtk_widget_set_opacity (child, leaf ? 0.0 : 1.0);
        gtk_widget_set_can_target (child, !leaf);
      }
  if (leaf)
    gtk_accessible_reset_state (GTK_ACCESSIBLE (row->expander), GTK_ACCESSIBLE_STATE_EXPANDED);
  else if (row->children != NULL)
    {
      GtkTreeListRow *tree_row = gtk_tree_expander_get_list_row (GTK_TREE_EXPANDER (row->expander));

      if (tree_row != NULL)
        gtk_accessible_update_state (GTK_ACCESSIBLE (row->expander), GTK_ACCESSIBLE_STATE_EXPANDED,
                                     gtk_tree_list_row_get_expanded (tree_row), -1);
    }
}

static void
sidebar_row_clear (SidebarRow *row)
{
  if (row->item != NULL)
    g_signal_handlers_disconnect_by_data (row->item, row);
  if (row->children != NULL)
    g_signal_handlers_disconnect_by_data (row->children, row);
  g_clear_object (&row->children);
  g_clear_object (&row->item);
}

static void
sidebar_row_free (SidebarRow *row)
{
  sidebar_row_clear (row);
  g_free (row);
}

static gboolean
on_row_drop (GtkDropTarget *target,
             const GValue  *value,
             double         x,
             double         y,
             HeronSidebar  *self)
{
  GtkWidget *expander = gtk_event_controller_get_widget (GTK_EVENT_CONTROLLER (target));
  SidebarRow *row = g_object_get_data (G_OBJECT (expander), "heron-sidebar-row");
  GListModel *messages;
  HeronFolder *folder;
  guint n;

  if (row == NULL || !HERON_IS_FOLDER (row->item) || !G_VALUE_HOLDS (value, G_TYPE_LIST_STORE))
    return FALSE;
  folder = HERON_FOLDER (row->item);
  messages = g_value_get_object (value);
  n = g_list_model_get_n_items (messages);
  if (n == 0 || !heron_folder_get_selectable (folder))
    return FALSE;

  /* A move stays within one account, and moving into the same folder does nothing. */
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(HeronMessage) message = g_list_model_get_item (messages, i);

      if (heron_message_get_account (message) != heron_folder_get_account (folder) ||
          heron_message_get_folder (message) == folder)
        return FALSE;
    }

  g_signal_emit (self, signals[SIGNAL_MESSAGES_DROPPED], 0, folder, messages);
  return TRUE;
}

/* A click on a row (not only Enter or a double click) opens it: in the narrow layout this
 * moves on to the message list. */
static void
on_row_released (GtkGestureClick *gesture,
                 int              n_press,
                 double           x,
                 double           y,
                 HeronSidebar    *self)
{
  GtkWidget *expander = gtk_event_controller_get_widget (GTK_EVENT_CONTROLLER (gesture));
  SidebarRow *row = g_object_get_data (G_OBJECT (expander), "heron-sidebar-row");
  guint position = gtk_list_item_get_position (row->list_item);

  if (position == GTK_INVALID_LIST_POSITION || self->selection == NULL)
    return;
  gtk_single_selection_set_selected (self->selection, position);
  g_signal_emit (self, signals[SIGNAL_FOLDER_ACTIVATED], 0, heron_sidebar_get_selected_folder (self));
}

static void
on_factory_setup (GtkSignalListItemFactory *factory,
                  GtkListItem              *item,
                  HeronSidebar             *self)
{
  SidebarRow *row = g_new0 (SidebarRow, 1);
  GtkWidget *box;
  GtkDropTarget *drop;
  GtkGesture *click;

  row->list_item = item;
  box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 8);
  row->icon = GTK_IMAGE (gtk_image_new ());
  row->label = GTK_LABEL (gtk_label_new (NULL));
  gtk_label_set_xalign (row->label, 0);
  gtk_label_set_ellipsize (row->label, PANGO_ELLIPSIZE_END);
  gtk_widget_set_hexpand (GTK_WIDGET (row->label), TRUE);
  row->state_icon = GTK_IMAGE (gtk_image_new ());
  gtk_widget_add_css_class (GTK_WIDGET (row->state_icon), "warning");
  row->count = GTK_LABEL (gtk_label_new (NULL));
  gtk_widget_add_css_class (GTK_WIDGET (row->count), "dim-label");
  gtk_widget_add_css_class (GTK_WIDGET (row->count), "numeric");
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (row->icon));
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (row->label));
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (row->state_icon));
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (row->count));

  row->expander = gtk_tree_expander_new ();
  gtk_tree_expander_set_child (GTK_TREE_EXPANDER (row->expander), box);
  g_object_set_data_full (G_OBJECT (row->expander), "heron-sidebar-row", row,
                          (GDestroyNotify) sidebar_row_free);

  drop = gtk_drop_target_new (G_TYPE_LIST_STORE, GDK_ACTION_MOVE);
  g_signal_connect_object (drop, "drop", G_CALLBACK (on_row_drop), self, 0);
  gtk_widget_add_controller (row->expander, GTK_EVENT_CONTROLLER (drop));

  click = gtk_gesture_click_new ();
  gtk_gesture_single_set_button (GTK_GESTURE_SINGLE (click), GDK_BUTTON_PRIMARY);
  g_signal_connect_object (click, "released", G_CALLBACK (on_row_released), self, 0);
  gtk_widget_add_controller (row->expander, GTK_EVENT_CONTROLLER (click));

  gtk_list_item_set_child (item, row->expander);
}

static void
on_factory_bind (GtkSignalListItemFactory *factory,
                 GtkListItem              *item,
                 HeronSidebar             *self)
{
  GtkWidget *expander = gtk_list_item_get_child (item);
  SidebarRow *row = g_object_get_data (G_OBJECT (expander), "heron-sidebar-row");
  GtkTreeListRow *tree_row = gtk_list_item_get_item (item);

  sidebar_row_clear (row);
  gtk_tree_expander_set_list_row (GTK_TREE_EXPANDER (expander), tree_row);
  row->item = gtk_tree_list_row_get_item (tree_row);
  if (HERON_IS_FOLDER (row->item))
    {
      static const char * const signals_shown[] = {
        "notify::display-name", "notify::icon-name", "notify::role", "notify::selectable",
        "notify::unread-count",
      };

      for (guint i = 0; i < G_N_ELEMENTS (signals_shown); i++)
        g_signal_connect_swapped (row->item, signals_shown[i], G_CALLBACK (sidebar_row_refresh), row);
      row->children = g_object_ref (heron_folder_get_children (HERON_FOLDER (row->item)));
      g_signal_connect_swapped (row->children, "items-changed",
                                G_CALLBACK (sidebar_row_update_expander), row);
    }
  else if (HERON_IS_ACCOUNT (row->item))
    {
      static const char * const signals_shown[] = { "notify::display-name", "notify::state" };

      for (guint i = 0; i < G_N_ELEMENTS (signals_shown); i++)
        g_signal_connect_swapped (row->item, signals_shown[i], G_CALLBACK (sidebar_row_refresh), row);
    }
  sidebar_row_update_expander (row);
  sidebar_row_refresh (row);
}

static void
on_factory_unbind (GtkSignalListItemFactory *factory,
                   GtkListItem              *item,
                   HeronSidebar             *self)
{
  GtkWidget *expander = gtk_list_item_get_child (item);
  SidebarRow *row = g_object_get_data (G_OBJECT (expander), "heron-sidebar-row");

  gtk_tree_expander_set_list_row (GTK_TREE_EXPANDER (expander), NULL);
  sidebar_row_clear (row);
}

static void
on_list_activate (GtkListView  *list_view,
                  guint         position,
                  HeronSidebar *self)
{
  gtk_single_selection_set_selected (self->selection, position);
  g_signal_emit (self, signals[SIGNAL_FOLDER_ACTIVATED], 0, heron_sidebar_get_selected_folder (self));
}

static void
heron_sidebar_dispose (GObject *object)
{
  HeronSidebar *self = HERON_SIDEBAR (object);

  if (self->list_view != NULL)
    gtk_list_view_set_model (self->list_view, NULL);
  g_clear_object (&self->selection);
  g_clear_object (&self->tree);
  g_clear_object (&self->manager);
  gtk_widget_dispose_template (GTK_WIDGET (object), HERON_TYPE_SIDEBAR);

  G_OBJECT_CLASS (heron_sidebar_parent_class)->dispose (object);
}

static void
heron_sidebar_class_init (HeronSidebarClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = heron_sidebar_dispose;

  signals[SIGNAL_SELECTION_CHANGED] =
    g_signal_new ("selection-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);
  signals[SIGNAL_MESSAGES_DROPPED] =
    g_signal_new ("messages-dropped", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 2, HERON_TYPE_FOLDER, G_TYPE_LIST_MODEL);
  signals[SIGNAL_FOLDER_ACTIVATED] =
    g_signal_new ("folder-activated", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, HERON_TYPE_FOLDER);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/heronmail/Heron/widgets/heron-sidebar.ui");
  gtk_widget_class_bind_template_child (widget_class, HeronSidebar, scrolled_window);
  gtk_widget_class_bind_template_child (widget_class, HeronSidebar, list_view);
}

static void
heron_sidebar_init (HeronSidebar *self)
{
  GtkListItemFactory *factory;

  gtk_widget_init_template (GTK_WIDGET (self));

  factory = gtk_signal_list_item_factory_new ();
  g_signal_connect (factory, "setup", G_CALLBACK (on_factory_setup), self);
  g_signal_connect (factory, "bind", G_CALLBACK (on_factory_bind), self);
  g_signal_connect (factory, "unbind", G_CALLBACK (on_factory_unbind), self);
  gtk_list_view_set_factory (self->list_view, factory);
  g_object_unref (factory);
  g_signal_connect (self->list_view, "activate", G_CALLBACK (on_list_activate), self);
}
