// Package projects holds the pages of the projects list (项目清单): the
// list, the new-project form, a project's whole chain from needs to the
// residents' rating, the acceptance checklist and the outcome notice form.
package projects
