/* heron-message-list-view.c: the message list: rows, selection, context menu and drag
 *
 * The list shows any GListModel of HeronMessage: a folder's HeronMessageList, the unified inbox
 * or search results. GtkListView only makes rows for what is on screen and HeronMessageList only
 * reads the rows asked for, so the cost does not grow with the folder.
 *
 * Copyright 2026 The Heron developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <adwaita.h>
#include <glib/gi18n.h>

#include "heron-message-list-view.h"
#include "heron-message-row.h"

struct _HeronMessageListView
{
  GtkWidget           parent_instance;

  GListModel         *model;
  GtkMultiSelection  *selection;
  GtkPopoverMenu     *context_popover;

  /* Template children */
  GtkStack           *stack;
  GtkScrolledWindow  *scrolled_window;
  GtkListView        *list_view;
  AdwStatusPage      *empty_page;
};

G_DEFINE_FINAL_TYPE (HeronMessageListView, heron_message_list_view, GTK_TYPE_WIDGET)

enum {
  SIGNAL_SELECTION_CHANGED,
  SIGNAL_MESSAGE_ACTIVATED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

GtkWidget *
heron_message_list_view_new (void)
{
  return g_object_new (HERON_TYPE_MESSAGE_LIST_VIEW, NULL);
}

static void
heron_message_list_view_update_empty (HeronMessageListView *self)
{
  gboolean empty = self->model == NULL || g_list_model_get_n_items (self->model) == 0;

  gtk_stack_set_visible_child_name (self->stack, empty ? "empty" : "list");
}

static void
on_items_changed (HeronMessageListView *self)
{
  heron_message_list_view_update_empty (self);
}

static void
on_selection_changed (HeronMessageListView *self)
{
  g_signal_emit (self, signals[SIGNAL_SELECTION_CHANGED], 0);
}

void
heron_message_list_view_set_model (HeronMessageListView *self,
                                   GListModel           *messages)
{
  g_return_if_fail (HERON_IS_MESSAGE_LIST_VIEW (self));
  g_return_if_fail (messages == NULL || G_IS_LIST_MODEL (messages));

  if (self->model == messages)
    return;

  if (self->model != NULL)
    g_signal_handlers_disconnect_by_func (self->model, on_items_changed, self);
  if (self->selection != NULL)
    g_signal_handlers_disconnect_by_func (self->selection, on_selection_changed, self);
  g_set_object (&self->model, messages);
  g_clear_object (&self->selection);

  if (messages != NULL)
    {
      self->selection = gtk_multi_selection_new (g_object_ref (messages));
      g_signal_connect_object (messages, "items-changed", G_CALLBACK (on_items_changed), self,
                               G_CONNECT_SWAPPED);
      g_signal_connect_object (self->selection, "selection-changed",
                               G_CALLBACK (on_selection_changed), self, G_CONNECT_SWAPPED);
    }
  gtk_list_view_set_model (self->list_view, GTK_SELECTION_MODEL (self->selection));
  heron_message_list_view_update_empty (self);
  g_signal_emit (self, signals[SIGNAL_SELECTION_CHANGED], 0);
}

GListModel *
heron_message_list_view_get_model (HeronMessageListView *self)
{
  g_return_val_if_fail (HERON_IS_MESSAGE_LIST_VIEW (self), NULL);

  return self->model;
}

void
heron_message_list_view_set_context_menu (HeronMessageListView *self,
                                          GMenuModel           *menu)
{
  g_return_if_fail (HERON_IS_MESSAGE_LIST_VIEW (self));

  gtk_popover_menu_set_menu_model (self->context_popover, menu);
}

void
heron_message_list_view_set_placeholder (HeronMessageListView *self,
                                         const char           *icon_name,
                                         const char           *title,
                                         const char           *description)
{
  g_return_if_fail (HERON_IS_MESSAGE_LIST_VIEW (self));

  adw_status_page_set_icon_name (self->empty_page, icon_name);
  adw_status_page_set_title (self->empty_page, title);
  adw_status_page_set_description (self->empty_page, description);
}

GPtrArray *
heron_message_list_view_get_selected (HeronMessageListView *self)
{
  g_autoptr(GtkBitset) bitset = NULL;
  GtkBitsetIter iter;
  GPtrArray *messages;
  guint position;

  g_return_val_if_fail (HERON_IS_MESSAGE_LIST_VIEW (self), NULL);

  messages = g_ptr_array_new_with_free_func (g_object_unref);
  if (self->selection == NULL)
    return messages;

  bitset = gtk_selection_model_get_selection (GTK_SELECTION_MODEL (self->selection));
  for (gboolean valid = gtk_bitset_iter_init_first (&iter, bitset, &position);
       valid;
       valid = gtk_bitset_iter_next (&iter, &position))
    {
      gpointer item = g_list_model_get_item (self->model, position);

      if (item != NULL)
        g_ptr_array_add (messages, item);
    }
  return messages;
}

guint
heron_message_list_view_get_n_selected (HeronMessageListView *self)
{
  g_autoptr(GtkBitset) bitset = NULL;

  g_return_val_if_fail (HERON_IS_MESSAGE_LIST_VIEW (self), 0);

  if (self->selection == NULL)
    return 0;
  bitset = gtk_selection_model_get_selection (GTK_SELECTION_MODEL (self->selection));
  return (guint) gtk_bitset_get_size (bitset);
}

guint
heron_message_list_view_get_first_selected_position (HeronMessageListView *self)
{
  g_autoptr(GtkBitset) bitset = NULL;

  g_return_val_if_fail (HERON_IS_MESSAGE_LIST_VIEW (self), GTK_INVALID_LIST_POSITION);

  if (self->selection == NULL)
    return GTK_INVALID_LIST_POSITION;
  bitset = gtk_selection_model_get_selection (GTK_SELECTION_MODEL (self->selection));
  if (gtk_bitset_is_empty (bitset))
    return GTK_INVALID_LIST_POSITION;
  return gtk_bitset_get_minimum (bitset);
}

gboolean
heron_message_list_view_select_position (HeronMessageListView *self,
                                         guint                 position)
{
  g_return_val_if_fail (HERON_IS_MESSAGE_LIST_VIEW (self), FALSE);

  if (self->model == NULL || position >= g_list_model_get_n_items (self->model))
    return FALSE;

  gtk_selection_model_select_item (GTK_SELECTION_MODEL (self->selection), position, TRUE);
  gtk_widget_activate_action (GTK_WIDGET (self->list_view), "list.scroll-to-item", "u", position);
  return TRUE;
}

GtkScrolledWindow *
heron_message_list_view_get_scrolled_window (HeronMessageListView *self)
{
  g_return_val_if_fail (HERON_IS_MESSAGE_LIST_VIEW (self), NULL);

  return self->scrolled_window;
}

/* Rows */

static guint
row_get_position (GtkWidget *row)
{
  GtkListItem *item = g_object_get_data (G_OBJECT (row), "heron-list-item");

  if (item == NULL)
    return GTK_INVALID_LIST_POSITION;
  return gtk_list_item_get_position (item);
}

static void
heron_message_list_view_popup_menu (HeronMessageListView *self,
                                    GtkWidget            *row,
                                    double                x,
                                    double                y)
{
  guint position = row_get_position (row);
  double view_x, view_y;

  if (position == GTK_INVALID_LIST_POSITION || self->selection == NULL)
    return;

  /* The menu acts on the selection: a row outside it becomes the selection. */
  if (!gtk_selection_model_is_selected (GTK_SELECTION_MODEL (self->selection), position))
    gtk_selection_model_select_item (GTK_SELECTION_MODEL (self->selection), position, TRUE);

  if (gtk_popover_menu_get_menu_model (self->context_popover) == NULL)
    return;
  if (!gtk_widget_translate_coordinates (row, GTK_WIDGET (self), x, y, &view_x, &view_y))
    view_x = view_y = 0;
  gtk_popover_set_pointing_to (GTK_POPOVER (self->context_popover),
                               &(GdkRectangle) { (int) view_x, (int) view_y, 1, 1 });
  gtk_popover_popup (GTK_POPOVER (self->context_popover));
}

static void
on_row_right_click (GtkGestureClick *gesture,
                    int              n_press,
                    double           x,
                    double           y,
                    gpointer         user_data)
{
  HeronMessageListView *self = HERON_MESSAGE_LIST_VIEW (user_data);
  GtkWidget *row = gtk_event_controller_get_widget (GTK_EVENT_CONTROLLER (gesture));

  gtk_gesture_set_state (GTK_GESTURE (gesture), GTK_EVENT_SEQUENCE_CLAIMED);
  heron_message_list_view_popup_menu (self, row, x, y);
}

static void
on_row_long_press (GtkGestureLongPress *gesture,
                   double               x,
                   double               y,
                   gpointer             user_data)
{
  HeronMessageListView *self = HERON_MESSAGE_LIST_VIEW (user_data);
  GtkWidget *row = gtk_event_controller_get_widget (GTK_EVENT_CONTROLLER (gesture));

  heron_message_list_view_popup_menu (self, row, x, y);
}

static GdkContentProvider *
on_row_drag_prepare (GtkDragSource *source,
                     double         x,
                     double         y,
                     gpointer       user_data)
{
  HeronMessageListView *self = HERON_MESSAGE_LIST_VIEW (user_data);
  GtkWidget *row = gtk_event_controller_get_widget (GTK_EVENT_CONTROLLER (source));
  HeronMessage *message = heron_message_row_get_message (HERON_MESSAGE_ROW (row));
  guint position = row_get_position (row);
  g_autoptr(GListStore) store = NULL;

  if (message == NULL || self->selection == NULL)
    return NULL;

  store = g_list_store_new (HERON_TYPE_MESSAGE);
  if (position != GTK_INVALID_LIST_POSITION &&
      gtk_selection_model_is_selected (GTK_SELECTION_MODEL (self->selection), position))
    {
      g_autoptr(GPtrArray) selected = heron_message_list_view_get_selected (self);

      for (guint i = 0; i < selected->len; i++)
        g_list_store_append (store, g_ptr_array_index (selected, i));
    }
  else
    g_list_store_append (store, message);

  return gdk_content_provider_new_typed (G_TYPE_LIST_STORE, store);
}

static void
on_row_drag_begin (GtkDragSource *source,
                   GdkDrag       *drag,
                   gpointer       user_data)
{
  GtkWidget *row = gtk_event_controller_get_widget (GTK_EVENT_CONTROLLER (source));
  g_autoptr(GdkPaintable) paintable = gtk_widget_paintable_new (row);

  gtk_drag_source_set_icon (source, paintable, 0, 0);
}

static void
on_factory_setup (GtkSignalListItemFactory *factory,
                  GtkListItem              *item,
                  HeronMessageListView     *self)
{
  GtkWidget *row = heron_message_row_new ();
  GtkGesture *click;
  GtkGesture *long_press;
  GtkDragSource *drag;

  g_object_set_data (G_OBJECT (row), "heron-list-item", item);

  click = gtk_gesture_click_new ();
  gtk_gesture_single_set_button (GTK_GESTURE_SINGLE (click), GDK_BUTTON_SECONDARY);
  g_signal_connect_object (click, "pressed", G_CALLBACK (on_row_right_click), self, 0);
  gtk_widget_add_controller (row, GTK_EVENT_CONTROLLER (click));

  long_press = gtk_gesture_long_press_new ();
  gtk_gesture_single_set_touch_only (GTK_GESTURE_SINGLE (long_press), TRUE);
  g_signal_connect_object (long_press, "pressed", G_CALLBACK (on_row_long_press), self, 0);
  gtk_widget_add_controller (row, GTK_EVENT_CONTROLLER (long_press));

  drag = gtk_drag_source_new ();
  gtk_drag_source_set_actions (drag, GDK_ACTION_MOVE);
  g_signal_connect_object (drag, "prepare", G_CALLBACK (on_row_drag_prepare), self, 0);
  g_signal_connect_object (drag, "drag-begin", G_CALLBACK (on_row_drag_begin), self, 0);
  gtk_widget_add_controller (row, GTK_EVENT_CONTROLLER (drag));

  gtk_list_item_set_child (item, row);
}

static void
on_factory_bind (GtkSignalListItemFactory *factory,
                 GtkListItem              *item,
                 HeronMessageListView     *self)
{
  GtkWidget *row = gtk_list_item_get_child (item);

  heron_message_row_set_message (HERON_MESSAGE_ROW (row), gtk_list_item_get_item (item));
}

static void
on_factory_unbind (GtkSignalListItemFactory *factory,
                   GtkListItem              *item,
                   HeronMessageListView     *self)
{
  GtkWidget *row = gtk_list_item_get_child (item);

  heron_message_row_set_message (HERON_MESSAGE_ROW (row), NULL);
}

static void
on_list_activate (GtkListView          *list_view,
                  guint                 position,
                  HeronMessageListView *self)
{
  g_autoptr(HeronMessage) message = NULL;

  if (self->model == NULL)
    return;
  message = g_list_model_get_item (self->model, position);
  if (message != NULL)
    g_signal_emit (self, signals[SIGNAL_MESSAGE_ACTIVATED], 0, message);
}

static void
heron_message_list_view_dispose (GObject *object)
{
  HeronMessageListView *self = HERON_MESSAGE_LIST_VIEW (object);

  if (self->list_view != NULL)
    gtk_list_view_set_model (self->list_view, NULL);
  g_clear_object (&self->selection);
  g_clear_object (&self->model);
  g_clear_pointer ((GtkWidget **) &self->context_popover, gtk_widget_unparent);
  gtk_widget_dispose_template (GTK_WIDGET (object), HERON_TYPE_MESSAGE_LIST_VIEW);

  G_OBJECT_CLASS (heron_message_list_view_parent_class)->dispose (object);
}

static void
heron_message_list_view_size_allocate (GtkWidget *widget,
                                       int        width,
                                       int        height,
                                       int        baseline)
{
  HeronMessageListView *self = HERON_MESSAGE_LIST_VIEW (widget);

  GTK_WIDGET_CLASS (heron_message_list_view_parent_class)->size_allocate (widget, width, height,
                                                                          baseline);
  gtk_popover_present (GTK_POPOVER (self->context_popover));
}

static void
heron_message_list_view_class_init (HeronMessageListViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = heron_message_list_view_dispose;
  widget_class->size_allocate = heron_message_list_view_size_allocate;

  signals[SIGNAL_SELECTION_CHANGED] =
    g_signal_new ("selection-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);
  signals[SIGNAL_MESSAGE_ACTIVATED] =
    g_signal_new ("message-activated", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, HERON_TYPE_MESSAGE);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/heronmail/Heron/widgets/heron-message-list-view.ui");
  gtk_widget_class_bind_template_child (widget_class, HeronMessageListView, stack);
  gtk_widget_class_bind_template_child (widget_class, HeronMessageListView, scrolled_window);
  gtk_widget_class_bind_template_child (widget_class, HeronMessageListView, list_view);
  gtk_widget_class_bind_template_child (widget_class, HeronMessageListView, empty_page);
}

static void
heron_message_list_view_init (HeronMessageListView *self)
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

  self->context_popover = GTK_POPOVER_MENU (gtk_popover_menu_new_from_model (NULL));
  gtk_popover_set_has_arrow (GTK_POPOVER (self->context_popover), FALSE);
  gtk_widget_set_halign (GTK_WIDGET (self->context_popover), GTK_ALIGN_START);
  gtk_widget_set_parent (GTK_WIDGET (self->context_popover), GTK_WIDGET (self));

  heron_message_list_view_update_empty (self);
}
