"""The website live-chat channel: visitor sessions, the visitor socket and widget.js.

Live chat needs no provider adapter: the widget is ours, so a visitor's
message goes straight to `message_receive`, and an agent's reply goes to the
visitor's socket over the channel layer (`delivery.deliver_to_visitor`).
"""
