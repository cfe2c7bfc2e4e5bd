import factory

from accounts.models import User


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("phone",)

    phone = factory.Sequence(lambda n: f"139{n:08d}")
    name = factory.Faker("name", locale="zh_CN")
    password = factory.django.Password("pass-word-123")
