"""The admin as staff's workplace: one site for every app, its pages grouped by job
(`sections`), a start page (`start`), the header and the wiring between apps that may not
import each other (`apps`). Lives in the composition root because it reads every app."""
