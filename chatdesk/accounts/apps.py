from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "chatdesk.accounts"
    label = "accounts"
    verbose_name = "Agents and roles"
