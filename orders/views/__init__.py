"""The H5 pages of the 三单 flow, one module per audience: ``residents`` (点单, my requests),
``members`` (接单: the task hall, a task, my tasks, check-in and check-out), ``community_staff``
(the work pages: review, tasks, 吹哨) and ``street_staff`` (the joint meeting's escalations);
``common`` holds what several audiences' pages use.

Views are thin: they read through the selectors (which scope what a user may see — anything
else is a 404), write through the services and show a service's ``DomainError`` as a Chinese
message.
"""
