from django.apps import AppConfig


class ModalProcessorsConfig(AppConfig):
    name = "modal_processors"
    verbose_name = "Modal processors"
